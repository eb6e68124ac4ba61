//! Free text an admin types (names, descriptions, scope tags) must read the
//! same everywhere it is shown: no control characters, and none of Unicode's
//! invisible bidirectional embedding, override or isolate characters, which
//! can make "Sales<U+202E>sdapi" display as something else in a list or an audit
//! log. Such text is refused with the field named, never cleaned silently.
//! The left-to-right and right-to-left *marks* (U+200E, U+200F, U+061C) stay
//! allowed: right-to-left languages use them legitimately.

use std::fmt;

/// A character free text may not hold, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeChar {
    pub ch: char,
    /// 1-based position in characters.
    pub position: usize,
}

impl UnsafeChar {
    fn kind(&self) -> &'static str {
        match self.ch {
            '\u{202A}' | '\u{202B}' | '\u{202D}' => "bidirectional embedding",
            '\u{202C}' => "bidirectional formatting",
            '\u{202E}' => "right-to-left override",
            '\u{2066}'..='\u{2069}' => "bidirectional isolate",
            '\n' | '\r' => "line break",
            '\t' => "tab",
            _ => "control",
        }
    }
}

impl fmt::Display for UnsafeChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "contains an invisible {} character (U+{:04X}) at position {}; remove it",
            self.kind(),
            u32::from(self.ch),
            self.position
        )
    }
}

fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line of text (a name, a tag): no control characters at all.
pub fn check_line(text: &str) -> Result<(), UnsafeChar> {
    find(text, |ch| ch.is_control() || is_bidi_control(ch))
}

/// Text that may span lines (a description): line breaks and tabs allowed.
pub fn check_multiline(text: &str) -> Result<(), UnsafeChar> {
    find(text, |ch| {
        (ch.is_control() && !matches!(ch, '\n' | '\r' | '\t')) || is_bidi_control(ch)
    })
}

fn find(text: &str, bad: impl Fn(char) -> bool) -> Result<(), UnsafeChar> {
    match text.chars().enumerate().find(|(_, ch)| bad(*ch)) {
        Some((i, ch)) => Err(UnsafeChar {
            ch,
            position: i + 1,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_controls_and_bidi_overrides_and_says_which() {
        let cases: &[(&str, Option<(u32, usize)>)] = &[
            ("Sales iPads", None),
            ("Verkauf – Zürich", None),
            ("מכירות", None),
            ("Sales\u{200F}", None),
            ("Sales\u{202E}sdapi", Some((0x202E, 6))),
            ("\u{2066}x", Some((0x2066, 1))),
            ("a\u{0}b", Some((0, 2))),
            ("a\u{7}", Some((7, 2))),
            ("two\nlines", Some((10, 4))),
            ("tab\there", Some((9, 4))),
            ("\u{85}next", Some((0x85, 1))),
        ];
        for (text, expected) in cases {
            let got = check_line(text)
                .err()
                .map(|e| (u32::from(e.ch), e.position));
            assert_eq!(got, *expected, "{text:?}");
        }
        let err = check_line("Sales\u{202E}sdapi").unwrap_err();
        assert_eq!(
            err.to_string(),
            "contains an invisible right-to-left override character (U+202E) at position 6; remove it"
        );
    }

    #[test]
    fn multiline_text_may_break_lines_but_not_hide_text() {
        assert!(check_multiline("first line\r\nsecond\tcolumn").is_ok());
        assert!(check_multiline("bad\u{202D}").is_err());
        assert!(check_multiline("bell\u{7}").is_err());
    }
}
