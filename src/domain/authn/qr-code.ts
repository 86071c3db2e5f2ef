import QRCode from 'qrcode';

/** An otpauth URI as a scannable QR code (SVG, medium error correction), ready for `<img src>`. */
export async function qrCodeDataUri(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
