/** JSON.parse that answers undefined instead of throwing, for values read from outside. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
