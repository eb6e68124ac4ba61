//! The one rule for every CSV cell Depot writes (device exports, the audit
//! log; the UI's assignment-results CSV follows the same table in
//! `ui/src/components/csv.ts`): RFC 4180 quoting, and a leading `'` on a cell
//! a spreadsheet would otherwise run as a formula or treat as a control
//! sequence — one starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return. A device name or an audit detail is text Apple or an admin typed;
//! it must never become a formula on the machine that opens the export.

/// Characters that make a spreadsheet read a cell as a formula when they come first.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One cell, defused and quoted as needed.
pub fn cell(value: &str) -> String {
    let value = if value.starts_with(FORMULA_TRIGGERS) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One line of cells, without the line ending.
pub fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    cells.into_iter().map(cell).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same table as ui/src/components/csv.test.ts: both writers agree.
    const CASES: &[(&str, &str)] = &[
        ("plain", "plain"),
        ("", ""),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1 555", "'+1 555"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "\"'\rreturn\""),
        (
            "=HYPERLINK(\"x\",\"y\")",
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"",
        ),
        ("a=b", "a=b"),
        ("C02X-0001", "C02X-0001"),
        ("Ünïcødé", "Ünïcødé"),
    ];

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        for (input, expected) in CASES {
            assert_eq!(cell(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn a_line_joins_cells_with_commas() {
        assert_eq!(line(["a", "=b", "c,d"]), "a,'=b,\"c,d\"");
    }
}
