// CSV as a spreadsheet opens it: UTF-8 with a byte order mark (so Excel reads Chinese names right), CRLF, RFC 4180
// quoting, and no cell a spreadsheet would run as a formula (CSV injection: = + - @ tab or CR first, numbers aside).

const BOM = '\uFEFF';
/** A cell a spreadsheet may take for a formula (OWASP's list), unless it is a plain number such as -12.50. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export type Cell = string | number | null | undefined;

/** One cell's text: a formula-like start neutralised with a leading apostrophe, quoted when it holds a comma, quote or line break. */
export function csvCell(value: Cell): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole document: the BOM, the header row, the rows, each line ended by CRLF. */
export function csvDocument(header: string[], rows: Cell[][]): string {
  return BOM + [header, ...rows].map((row) => row.map(csvCell).join(',') + '\r\n').join('');
}

/** A Content-Disposition naming the download (ASCII name; the RFC 5987 form for any other). */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
