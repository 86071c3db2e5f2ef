import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { PUBLIC_URL } from '../../helpers/server.js';

const b64u = (bytes: Uint8Array | Buffer): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

/** What a test may tamper with in one ceremony. */
export interface CeremonyTweaks {
  origin?: string;
  rpId?: string;
  /** Clear the UV flag (user verification not performed). */
  noUserVerification?: boolean;
  /** Force this signature counter instead of the next one. */
  counter?: number;
  /** Sign with another key. */
  wrongKey?: boolean;
  /** Use this challenge instead of the one in the options. */
  challenge?: string;
}

/**
 * A WebAuthn authenticator in software: one P-256 key pair (node:crypto) per credential, authenticator
 * data with rpIdHash, flags UP+UV (+BE/BS when `synced`), a counter and attested credential data, an
 * attestation object with fmt `none` encoded in CBOR, and assertions signed over
 * `authenticatorData ‖ SHA-256(clientDataJSON)`, as a browser plus security key or platform
 * passkey would produce them.
 */
export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  counter = 0;
  userHandle: string | undefined;

  constructor(
    private readonly opts: { synced?: boolean; countsSignatures?: boolean; origin?: string } = {},
  ) {}

  get id(): string {
    return b64u(this.credentialId);
  }

  private rpIdDefault(): string {
    return new URL(this.opts.origin ?? PUBLIC_URL).hostname;
  }

  private flags(attested: boolean, tweaks: CeremonyTweaks): number {
    let flags = 0x01; // UP
    if (!tweaks.noUserVerification) flags |= 0x04; // UV
    if (this.opts.synced) flags |= 0x08 | 0x10; // BE, BS
    if (attested) flags |= 0x40; // AT
    return flags;
  }

  private cosePublicKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    const map = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))],
    ]);
    return isoCBOR.encode(map);
  }

  private authData(attested: boolean, tweaks: CeremonyTweaks): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(tweaks.counter ?? this.counter);
    const parts = [
      sha256(tweaks.rpId ?? this.rpIdDefault()),
      Buffer.from([this.flags(attested, tweaks)]),
      counter,
    ];
    if (attested) {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), length, this.credentialId, Buffer.from(this.cosePublicKey()));
    }
    return Buffer.concat(parts);
  }

  private clientData(type: string, challenge: string, tweaks: CeremonyTweaks): Buffer {
    return Buffer.from(
      JSON.stringify({
        type,
        challenge: tweaks.challenge ?? challenge,
        origin: tweaks.origin ?? this.opts.origin ?? PUBLIC_URL,
        crossOrigin: false,
      }),
    );
  }

  /** `navigator.credentials.create()` for `options` (PublicKeyCredentialCreationOptionsJSON). */
  create(options: { challenge: string; user: { id: string } }, tweaks: CeremonyTweaks = {}) {
    this.userHandle = options.user.id;
    if (this.opts.countsSignatures) this.counter += 1;
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(this.authData(true, tweaks))],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64u(this.clientData('webauthn.create', options.challenge, tweaks)),
        attestationObject: b64u(attestationObject),
        transports: this.opts.synced ? ['internal', 'hybrid'] : ['usb'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: this.opts.synced ? ('platform' as const) : ('cross-platform' as const),
    };
  }

  /** `navigator.credentials.get()` for `options` (PublicKeyCredentialRequestOptionsJSON). */
  get(options: { challenge: string }, tweaks: CeremonyTweaks = {}) {
    if (this.opts.countsSignatures && tweaks.counter === undefined) this.counter += 1;
    const authData = this.authData(false, tweaks);
    const clientData = this.clientData('webauthn.get', options.challenge, tweaks);
    const key: KeyObject = tweaks.wrongKey ? this.otherKey : this.keys.privateKey;
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), key);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64u(clientData),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(this.userHandle === undefined ? {} : { userHandle: this.userHandle }),
      },
      clientExtensionResults: {},
    };
  }
}
