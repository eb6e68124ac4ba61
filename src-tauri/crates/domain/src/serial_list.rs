//! Serial numbers pasted or imported from a CSV/TXT file (DEV-2): one per line,
//! or a CSV whose header names a serial column. Every bad row is reported with
//! its line number; nothing is dropped silently.

use std::collections::HashSet;

use crate::SerialNumber;

/// A row that is not a serial number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// 1-based line number in the input.
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// The serials found (normalized, in input order, duplicates once) and the
/// rows that could not be used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SerialList {
    pub serials: Vec<SerialNumber>,
    pub bad_rows: Vec<BadRow>,
    /// Serials given more than once (after the first).
    pub duplicates: usize,
}

/// Header cells naming the serial column (any case, spaces and `_` ignored).
const SERIAL_HEADERS: [&str; 4] = ["serial", "serialnumber", "serialno", "devices"];

/// Parses text with one serial per line, or CSV (`,`, `;` or tab separated)
/// with a header row naming the serial column (e.g. Apple Business Manager's
/// export with "Serial Number"). Blank lines and lines starting with `#` are
/// skipped; quotes around cells are removed.
pub fn parse_serial_list(text: &str) -> SerialList {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .peekable();
    let separator = lines.peek().and_then(|(_, first)| {
        [',', ';', '\t']
            .into_iter()
            .find(|sep| first.contains(*sep))
    });
    let mut column = 0;
    if let Some((_, first)) = lines.peek() {
        let cells = split(first, separator);
        if let Some(index) = cells.iter().position(|c| is_serial_header(c)) {
            column = index;
            lines.next();
        } else if separator.is_some() && SerialNumber::parse(&cells[0]).is_err() {
            // A header without a serial column: nothing can be read reliably.
            let (line, text) = lines.next().unwrap_or_default();
            return SerialList {
                bad_rows: vec![BadRow {
                    line,
                    text: text.to_owned(),
                    reason: "this CSV has no column named \"Serial Number\" or \"Serial\"".into(),
                }],
                ..SerialList::default()
            };
        }
    }
    let mut out = SerialList::default();
    let mut seen = HashSet::new();
    for (line, row) in lines {
        let cells = split(row, separator);
        let Some(cell) = cells.get(column).filter(|c| !c.is_empty()) else {
            out.bad_rows.push(BadRow {
                line,
                text: row.to_owned(),
                reason: "no serial number in this row".into(),
            });
            continue;
        };
        match SerialNumber::parse(cell) {
            Ok(serial) => {
                if seen.insert(serial.as_str().to_owned()) {
                    out.serials.push(serial);
                } else {
                    out.duplicates += 1;
                }
            }
            Err(err) => out.bad_rows.push(BadRow {
                line,
                text: row.to_owned(),
                reason: err.to_string(),
            }),
        }
    }
    out
}

fn split(line: &str, separator: Option<char>) -> Vec<String> {
    let cells: Vec<&str> = match separator {
        Some(sep) => line.split(sep).collect(),
        None => vec![line],
    };
    cells
        .into_iter()
        .map(|c| c.trim().trim_matches('"').trim().to_owned())
        .collect()
}

fn is_serial_header(cell: &str) -> bool {
    let key: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    SERIAL_HEADERS.contains(&key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serials(list: &SerialList) -> Vec<&str> {
        list.serials.iter().map(SerialNumber::as_str).collect()
    }

    #[test]
    fn one_per_line_with_blanks_comments_duplicates_and_bad_rows() {
        let list = parse_serial_list(
            "# store 12\nf9fxk2abcd12\n\nDMPXK2ABCD13\nF9FXK2ABCD12\nno way!\nAB\n",
        );
        assert_eq!(serials(&list), ["F9FXK2ABCD12", "DMPXK2ABCD13"]);
        assert_eq!(list.duplicates, 1);
        let lines: Vec<usize> = list.bad_rows.iter().map(|b| b.line).collect();
        assert_eq!(lines, [6, 7]);
    }

    #[test]
    fn csv_with_a_serial_column_anywhere() {
        let csv =
            "\u{feff}Model;\"Serial Number\";Color\r\niPad;F9FXK2ABCD12;Silver\r\niPad;;Gold\r\n";
        let list = parse_serial_list(csv);
        assert_eq!(serials(&list), ["F9FXK2ABCD12"]);
        assert_eq!(list.bad_rows.len(), 1);
        assert_eq!(list.bad_rows[0].line, 3);
        assert!(list.bad_rows[0].reason.contains("no serial"));
    }

    #[test]
    fn csv_without_a_serial_column_is_refused_at_the_header() {
        let list = parse_serial_list("Model,Color\niPad,Silver\n");
        assert!(list.serials.is_empty());
        assert_eq!(list.bad_rows[0].line, 1);
        assert!(list.bad_rows[0].reason.contains("Serial Number"));
    }

    #[test]
    fn a_headerless_csv_uses_the_first_column() {
        let list = parse_serial_list("F9FXK2ABCD12,iPad\nDMPXK2ABCD13,iPhone\n");
        assert_eq!(serials(&list), ["F9FXK2ABCD12", "DMPXK2ABCD13"]);
    }
}
