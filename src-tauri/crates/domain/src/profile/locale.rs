//! The Setup Assistant language and region of tvOS and macOS profiles
//! (Apple's `language` and `region`): an ISO 639 language code, an ISO 3166-1
//! alpha-2 region, and a pair Apple's Setup Assistant can use.
//!
//! Apple refuses a bad combination with `LOCALE_INVALID` without saying which
//! combinations are bad. Depot's reading: the region is applied together with a
//! language (a region alone is refused), and the language must be one Setup
//! Assistant offers on tvOS and macOS ([`SETUP_LANGUAGES`]); any valid region
//! goes with such a language (Apple's own menus allow English in Germany, for
//! example).

use std::fmt;

use super::validate::ProfileField;

/// ISO 639-1 two-letter codes, plus the few longer codes Apple uses for a
/// language without one (`yue`, Cantonese).
const ISO_639: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io \
is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na \
nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss \
st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu yue fil haw";

/// ISO 3166-1 alpha-2 codes (the 249 officially assigned).
const ISO_3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR \
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ \
FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE \
JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU \
RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG \
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The languages Setup Assistant offers on tvOS and macOS (their system
/// languages), as ISO 639 codes.
pub const SETUP_LANGUAGES: &[&str] = &[
    "ar", "bn", "ca", "cs", "da", "de", "el", "en", "es", "fi", "fr", "gu", "he", "hi", "hr", "hu",
    "id", "it", "ja", "kk", "kn", "ko", "ml", "mr", "ms", "nb", "nl", "no", "or", "pa", "pl", "pt",
    "ro", "ru", "sk", "sl", "sv", "ta", "te", "th", "tr", "uk", "ur", "vi", "yue", "zh",
];

/// A Setup Assistant language, lower case (`fr`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language(String);

/// A Setup Assistant region, upper case (`CA`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region(String);

impl Language {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Region {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn is_iso_639(code: &str) -> bool {
    ISO_639.split_ascii_whitespace().any(|c| c == code)
}

pub fn is_iso_3166(code: &str) -> bool {
    ISO_3166.split_ascii_whitespace().any(|c| c == code)
}

/// Every ISO 3166-1 alpha-2 code, for pickers.
pub fn regions() -> impl Iterator<Item = &'static str> {
    ISO_3166.split_ascii_whitespace()
}

type Found = Vec<(ProfileField, String)>;

/// Checks a language and region as typed (blank ones are `None`): each code on
/// its own, then the pair. Case is forgiven (`FR`, `ca` read as `fr`, `CA`).
pub(crate) fn check(
    language: Option<&str>,
    region: Option<&str>,
) -> Result<(Option<Language>, Option<Region>), Found> {
    let mut found = Found::new();
    let language = language.map(|text| {
        let code = text.trim().to_ascii_lowercase();
        if !code.is_ascii() || !is_iso_639(&code) {
            found.push((
                ProfileField::Language,
                format!("'{text}' is not an ISO 639 language code; enter one like en, fr or de."),
            ));
        } else if !SETUP_LANGUAGES.contains(&code.as_str()) {
            found.push((
                ProfileField::Language,
                format!(
                    "Setup Assistant on tvOS and macOS has no '{code}' language; choose one it offers ({}).",
                    SETUP_LANGUAGES.join(", ")
                ),
            ));
        }
        Language(code)
    });
    let region = region.map(|text| {
        let code = text.trim().to_ascii_uppercase();
        if !code.is_ascii() || !is_iso_3166(&code) {
            found.push((
                ProfileField::Region,
                format!(
                    "'{text}' is not an ISO 3166-1 two-letter region code; enter one like US, GB or DE."
                ),
            ));
        } else if language.is_none() {
            found.push((
                ProfileField::Region,
                "Apple applies the region together with a language; choose the language too, or clear the region.".to_owned(),
            ));
        }
        Region(code)
    });
    if found.is_empty() {
        Ok((language, region))
    } else {
        Err(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_lists_are_complete_and_well_formed() {
        let regions: Vec<&str> = regions().collect();
        assert_eq!(regions.len(), 249);
        assert!(
            regions.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        assert!(
            regions
                .iter()
                .all(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()))
        );
        let languages: Vec<&str> = ISO_639.split_ascii_whitespace().collect();
        assert_eq!(languages.iter().filter(|l| l.len() == 2).count(), 184);
        for code in SETUP_LANGUAGES {
            assert!(is_iso_639(code), "{code}");
        }
    }

    #[test]
    fn codes_and_pairs() {
        type Case = (
            Option<&'static str>,
            Option<&'static str>,
            Result<(&'static str, &'static str), &'static [ProfileField]>,
        );
        use ProfileField::{Language as L, Region as R};
        let cases: &[Case] = &[
            (Some("fr"), Some("CA"), Ok(("fr", "CA"))),
            (Some("EN"), Some("gb"), Ok(("en", "GB"))),
            (Some(" de "), None, Ok(("de", ""))),
            (Some("yue"), Some("HK"), Ok(("yue", "HK"))),
            (None, Some("US"), Err(&[R])),
            (Some("xx"), Some("US"), Err(&[L])),
            (Some("en"), Some("XX"), Err(&[R])),
            (Some("english"), None, Err(&[L])),
            (Some("la"), Some("VA"), Err(&[L])),
            (Some("é"), Some("ÉU"), Err(&[L, R])),
            (Some("en"), Some("UK"), Err(&[R])),
        ];
        for (language, region, expected) in cases {
            let got = check(*language, *region);
            match (got, expected) {
                (Ok((l, r)), Ok((el, er))) => {
                    assert_eq!(l.as_ref().map(Language::as_str).unwrap_or(""), *el);
                    assert_eq!(r.as_ref().map(Region::as_str).unwrap_or(""), *er);
                }
                (Err(found), Err(fields)) => {
                    let got: Vec<ProfileField> = found.iter().map(|(f, _)| *f).collect();
                    assert_eq!(&got, fields, "{language:?} {region:?}: {found:?}");
                }
                (got, expected) => {
                    panic!("{language:?} {region:?}: {got:?}, expected {expected:?}")
                }
            }
        }
    }
}
