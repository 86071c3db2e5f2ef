/** Whether a character is a C0 control (CR and LF among them) or DEL. */
const isControl = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
};

/** Whether the text holds a control character (it must stay on one header line). */
export const hasControl = (s: string): boolean => [...s].some(isControl);

/** The text on one line: each run of control characters becomes a space; cut at `max`. */
export function oneLine(s: string, max: number): string {
  let out = '';
  let previousWasControl = false;
  for (const c of s) {
    if (isControl(c)) {
      if (!previousWasControl) out += ' ';
      previousWasControl = true;
    } else {
      out += c;
      previousWasControl = false;
    }
  }
  return out.slice(0, max);
}
