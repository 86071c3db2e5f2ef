/**
 * The one script of the sign-in pages (served at `PASSKEY_SCRIPT_PATH`, same origin, no inline
 * code). It shows the passkey section, and on click: fetches request options, calls
 * `navigator.credentials.get()`, posts the assertion as JSON with the page's CSRF token, and follows
 * the returned location. It also exposes `ElevatePasskeys.register(accessToken, displayName)` for the
 * portal: creation options, `navigator.credentials.create()`, then the Graph registration call.
 */
export const PASSKEY_SCRIPT = String.raw`'use strict';
(function () {
  var b64 = function (buffer) {
    var bytes = new Uint8Array(buffer), text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  var bytes = function (text) {
    var s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out.buffer;
  };
  var descriptors = function (list) {
    return (list || []).map(function (c) { return { type: 'public-key', id: bytes(c.id), transports: c.transports }; });
  };
  var postJson = function (url, body, headers) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: Object.assign({ 'content-type': 'application/json' }, headers || {}),
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (json) {
        if (!res.ok) throw new Error((json && json.error && json.error.message) || 'The request failed.');
        return json;
      });
    });
  };
  var signIn = function (section, report) {
    var csrf = section.getAttribute('data-csrf');
    return postJson(section.getAttribute('data-options'), { csrf: csrf }).then(function (options) {
      options.challenge = bytes(options.challenge);
      options.allowCredentials = descriptors(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      var r = credential.response;
      return postJson(section.getAttribute('data-verify'), {
        csrf: csrf,
        credential: {
          id: credential.id, rawId: b64(credential.rawId), type: credential.type,
          response: {
            clientDataJSON: b64(r.clientDataJSON), authenticatorData: b64(r.authenticatorData),
            signature: b64(r.signature), userHandle: r.userHandle ? b64(r.userHandle) : undefined
          },
          clientExtensionResults: credential.getClientExtensionResults(),
          authenticatorAttachment: credential.authenticatorAttachment || undefined
        }
      });
    }).then(function (result) { window.location.assign(result.location); }, report);
  };
  var register = function (accessToken, displayName) {
    var auth = { authorization: 'Bearer ' + accessToken };
    return postJson('/v1.0/me/authentication/fido2Methods/creationOptions', {}, auth).then(function (wrapped) {
      var options = wrapped.publicKey;
      options.challenge = bytes(options.challenge);
      options.user.id = bytes(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var r = credential.response;
      return postJson('/v1.0/me/authentication/fido2Methods', {
        displayName: displayName,
        publicKeyCredential: {
          id: credential.id, rawId: b64(credential.rawId), type: credential.type,
          response: {
            clientDataJSON: b64(r.clientDataJSON), attestationObject: b64(r.attestationObject),
            transports: r.getTransports ? r.getTransports() : []
          },
          clientExtensionResults: credential.getClientExtensionResults(),
          authenticatorAttachment: credential.authenticatorAttachment || undefined
        }
      }, auth);
    });
  };
  window.ElevatePasskeys = { register: register };
  var section = document.getElementById('passkey');
  if (!section || !window.PublicKeyCredential) return;
  var error = document.getElementById('passkey-error');
  section.hidden = false;
  document.getElementById('passkey-button').addEventListener('click', function () {
    error.textContent = '';
    signIn(section, function (e) { error.textContent = (e && e.message) || 'The passkey could not be used.'; });
  });
})();
`;
