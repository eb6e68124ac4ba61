//! Deterministic device catalogue: `(seed, server slot, index) → device`.
//!
//! Nothing is stored per device until something about it changes, so a server
//! with 200,000 devices costs no memory and no start-up time. Serial numbers
//! are a keyed permutation of the device's global index written in Apple's
//! alphabet, so they are unique, look random, and decode back to the index.

use crate::util::mix64;

/// Apple's serial alphabet: digits and letters without `I` and `O`.
const ALPHABET: &[u8; 34] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Leading letter of 10-character (2021+) serials.
const NEW_STYLE_LEAD: &[u8] = b"CDFGHJKLMNPQRTVWXY";
const BODY_LEN: usize = 9;
const HALF_BITS: u32 = 20;
const HALF_MASK: u64 = (1 << HALF_BITS) - 1;
/// Devices per server slot: 2^24 ≈ 16.7 million.
pub(crate) const MAX_DEVICES_PER_SERVER: u32 = 1 << 24;
/// The slot of the organisation's devices that belong to no MDM server at
/// start (never a server's slot: servers stop below 0x7FFF).
pub(crate) const ORG_SLOT: u16 = 0x7FFF;
/// Slots with this bit name the "original" devices that replacements replaced.
const ORIGINAL_SLOT_BIT: u16 = 0x8000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    IPhone,
    IPad,
    Mac,
    AppleTv,
    Vision,
}

impl Family {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            Family::IPhone => "iPhone",
            Family::IPad => "iPad",
            Family::Mac => "Mac",
            Family::AppleTv => "AppleTV",
            Family::Vision => "Vision",
        }
    }

    /// `os` as Apple sends it; iPads say `iOS` before protocol version 7.
    pub(crate) fn os(self, protocol_version: u32) -> &'static str {
        match self {
            Family::IPhone => "iOS",
            Family::IPad if protocol_version >= 7 => "iPadOS",
            Family::IPad => "iOS",
            Family::Mac => "OSX",
            Family::AppleTv => "tvOS",
            Family::Vision => "visionOS",
        }
    }
}

struct ModelSpec {
    model: &'static str,
    /// Description stem; the color and capacity are added per family.
    stem: &'static str,
    colors: &'static [&'static str],
    capacities: &'static [&'static str],
}

const IPHONES: &[ModelSpec] = &[
    ModelSpec {
        model: "iPhone 13",
        stem: "IPHONE 13",
        colors: &["MIDNIGHT", "STARLIGHT", "BLUE", "PINK", "(PRODUCT)RED"],
        capacities: &["128GB", "256GB"],
    },
    ModelSpec {
        model: "iPhone 14",
        stem: "IPHONE 14",
        colors: &["MIDNIGHT", "STARLIGHT", "PURPLE", "BLUE"],
        capacities: &["128GB", "256GB"],
    },
    ModelSpec {
        model: "iPhone 15",
        stem: "IPHONE 15",
        colors: &["BLACK", "BLUE", "GREEN", "YELLOW", "PINK"],
        capacities: &["128GB", "256GB", "512GB"],
    },
    ModelSpec {
        model: "iPhone 15 Pro",
        stem: "IPHONE 15 PRO",
        colors: &[
            "BLACK TITANIUM",
            "WHITE TITANIUM",
            "BLUE TITANIUM",
            "NATURAL TITANIUM",
        ],
        capacities: &["128GB", "256GB", "512GB", "1TB"],
    },
    ModelSpec {
        model: "iPhone 16",
        stem: "IPHONE 16",
        colors: &["BLACK", "WHITE", "PINK", "TEAL", "ULTRAMARINE"],
        capacities: &["128GB", "256GB", "512GB"],
    },
    ModelSpec {
        model: "iPhone 16 Pro",
        stem: "IPHONE 16 PRO",
        colors: &[
            "BLACK TITANIUM",
            "WHITE TITANIUM",
            "NATURAL TITANIUM",
            "DESERT TITANIUM",
        ],
        capacities: &["128GB", "256GB", "512GB", "1TB"],
    },
    ModelSpec {
        model: "iPhone 16e",
        stem: "IPHONE 16E",
        colors: &["BLACK", "WHITE"],
        capacities: &["128GB", "256GB"],
    },
];

const IPADS: &[ModelSpec] = &[
    ModelSpec {
        model: "iPad (10th generation)",
        stem: "IPAD 10.9 WI-FI",
        colors: &["SILVER", "BLUE", "PINK", "YELLOW"],
        capacities: &["64GB", "256GB"],
    },
    ModelSpec {
        model: "iPad Air 11-inch (M2)",
        stem: "IPAD AIR 11 WI-FI",
        colors: &["SPACE GRAY", "STARLIGHT", "PURPLE", "BLUE"],
        capacities: &["128GB", "256GB", "512GB"],
    },
    ModelSpec {
        model: "iPad Pro 11-inch (M4)",
        stem: "IPAD PRO 11 WI-FI + CELL",
        colors: &["SPACE BLACK", "SILVER"],
        capacities: &["256GB", "512GB", "1TB"],
    },
    ModelSpec {
        model: "iPad mini (A17 Pro)",
        stem: "IPAD MINI WI-FI",
        colors: &["SPACE GRAY", "BLUE", "PURPLE", "STARLIGHT"],
        capacities: &["128GB", "256GB"],
    },
];

const MACS: &[ModelSpec] = &[
    ModelSpec {
        model: "MacBook Air (13-inch, M2, 2022)",
        stem: "MBA 13.6",
        colors: &["MIDNIGHT", "STARLIGHT", "SPACE GRAY", "SILVER"],
        capacities: &[
            "M2 8C CPU 8C GPU/16GB/256GB",
            "M2 8C CPU 10C GPU/16GB/512GB",
        ],
    },
    ModelSpec {
        model: "MacBook Air (15-inch, M3, 2024)",
        stem: "MBA 15.3",
        colors: &["MIDNIGHT", "STARLIGHT", "SPACE GRAY", "SILVER"],
        capacities: &[
            "M3 8C CPU 10C GPU/16GB/256GB",
            "M3 8C CPU 10C GPU/24GB/512GB",
        ],
    },
    ModelSpec {
        model: "MacBook Pro (14-inch, M3 Pro, 2023)",
        stem: "MBP 14.2",
        colors: &["SPACE BLACK", "SILVER"],
        capacities: &[
            "M3 PRO 11C CPU 14C GPU/18GB/512GB",
            "M3 PRO 12C CPU 18C GPU/36GB/1TB",
        ],
    },
    ModelSpec {
        model: "Mac mini (2024)",
        stem: "MAC MINI",
        colors: &["SILVER"],
        capacities: &[
            "M4 10C CPU 10C GPU/16GB/256GB",
            "M4 PRO 12C CPU 16C GPU/24GB/512GB",
        ],
    },
    ModelSpec {
        model: "iMac (24-inch, 2024)",
        stem: "IMAC 24",
        colors: &[
            "BLUE", "GREEN", "PINK", "SILVER", "YELLOW", "ORANGE", "PURPLE",
        ],
        capacities: &[
            "M4 8C CPU 8C GPU/16GB/256GB",
            "M4 10C CPU 10C GPU/24GB/512GB",
        ],
    },
];

const APPLE_TVS: &[ModelSpec] = &[
    ModelSpec {
        model: "Apple TV 4K (3rd generation)",
        stem: "APPLE TV 4K WI-FI",
        colors: &["BLACK"],
        capacities: &["64GB"],
    },
    ModelSpec {
        model: "Apple TV 4K (3rd generation) Wi-Fi + Ethernet",
        stem: "APPLE TV 4K WI-FI + ETHERNET",
        colors: &["BLACK"],
        capacities: &["128GB"],
    },
    ModelSpec {
        model: "Apple TV HD",
        stem: "APPLE TV HD",
        colors: &["BLACK"],
        capacities: &["32GB"],
    },
];

const VISIONS: &[ModelSpec] = &[ModelSpec {
    model: "Apple Vision Pro",
    stem: "APPLE VISION PRO",
    colors: &["SILVER"],
    capacities: &["256GB", "512GB", "1TB"],
}];

const OLD_PREFIXES_IPHONE: &[&str] = &["F2L", "DNP", "G6T", "FFM", "DX3"];
const OLD_PREFIXES_IPAD: &[&str] = &["DMP", "F9F", "DLX", "GG7"];
const OLD_PREFIXES_MAC: &[&str] = &["C02", "C07", "FVF", "C1M"];
const OLD_PREFIXES_TV: &[&str] = &["C07", "DY3", "GHW"];
const OLD_PREFIXES_VISION: &[&str] = &["H0R", "JK2"];

/// Generated, immutable facts about one device.
#[derive(Debug, Clone)]
pub(crate) struct BaseDevice {
    pub serial: String,
    pub family: Family,
    pub model: &'static str,
    pub description: String,
    pub color: &'static str,
    /// Storage (or, for Macs, the configuration ending in the storage).
    pub capacity: &'static str,
    pub asset_tag: Option<String>,
    /// Local part of the `device_assigned_by` e-mail address.
    pub assigned_by_user: &'static str,
    pub is_replacement: bool,
    pub wifi_mac: String,
    pub bluetooth_mac: String,
    pub ethernet_mac: Option<String>,
    pub imei: Vec<String>,
    pub eid: Option<String>,
}

fn global_index(slot: u16, idx: u32) -> u64 {
    (u64::from(slot) << 24) | u64::from(idx & (MAX_DEVICES_PER_SERVER - 1))
}

fn round_fn(seed: u64, round: u64, half: u64) -> u64 {
    mix64(seed ^ (round << 40) ^ half ^ 0xD15C_0DE5) & HALF_MASK
}

fn permute(seed: u64, x: u64) -> u64 {
    let (mut l, mut r) = ((x >> HALF_BITS) & HALF_MASK, x & HALF_MASK);
    for round in 0..4 {
        let next = l ^ round_fn(seed, round, r);
        l = r;
        r = next;
    }
    (l << HALF_BITS) | r
}

fn unpermute(seed: u64, y: u64) -> u64 {
    let (mut l, mut r) = ((y >> HALF_BITS) & HALF_MASK, y & HALF_MASK);
    for round in (0..4).rev() {
        let prev = r ^ round_fn(seed, round, l);
        r = l;
        l = prev;
    }
    (l << HALF_BITS) | r
}

fn attr_hash(seed: u64, global: u64, salt: u64) -> u64 {
    mix64(seed.rotate_left(17) ^ global.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ salt)
}

fn pick<T: Copy>(items: &[T], h: u64) -> T {
    items[(h % items.len() as u64) as usize]
}

/// The catalogue's inputs: the seed and which families the fleet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct World {
    pub seed: u64,
    pub fleet: crate::Fleet,
}

impl World {
    /// A mixed fleet from `seed`.
    #[cfg(test)]
    pub(crate) fn mixed(seed: u64) -> Self {
        World {
            seed,
            fleet: crate::Fleet::Mixed,
        }
    }
}

fn family_of(world: World, global: u64) -> Family {
    let h = attr_hash(world.seed, global, 1) % 100;
    match world.fleet {
        crate::Fleet::Mixed => {}
        crate::Fleet::Mobile if h < 60 => return Family::IPhone,
        crate::Fleet::Mobile | crate::Fleet::IPads => return Family::IPad,
    }
    match h {
        0..=39 => Family::IPhone,
        40..=64 => Family::IPad,
        65..=89 => Family::Mac,
        90..=95 => Family::AppleTv,
        _ => Family::Vision,
    }
}

/// The serial number of device `idx` on server `slot`.
pub(crate) fn serial(world: World, slot: u16, idx: u32) -> String {
    let seed = world.seed;
    let global = global_index(slot, idx);
    let mut value = permute(seed, global);
    let mut body = [0u8; BODY_LEN];
    for digit in body.iter_mut().rev() {
        *digit = ALPHABET[(value % 34) as usize];
        value /= 34;
    }
    let family = family_of(world, global);
    let style = attr_hash(seed, global, 2);
    let mut out = String::with_capacity(12);
    if style % 100 < 35 {
        let prefixes = match family {
            Family::IPhone => OLD_PREFIXES_IPHONE,
            Family::IPad => OLD_PREFIXES_IPAD,
            Family::Mac => OLD_PREFIXES_MAC,
            Family::AppleTv => OLD_PREFIXES_TV,
            Family::Vision => OLD_PREFIXES_VISION,
        };
        out.push_str(pick(prefixes, style >> 8));
    } else {
        out.push(pick(NEW_STYLE_LEAD, style >> 8) as char);
    }
    out.extend(body.iter().map(|&b| b as char));
    out
}

/// Inverse of [`serial`]: `(slot, idx)` for a serial this seed generated.
pub(crate) fn decode_serial(world: World, serial_number: &str) -> Option<(u16, u32)> {
    let seed = world.seed;
    if !(serial_number.len() == 10 || serial_number.len() == 12) || !serial_number.is_ascii() {
        return None;
    }
    let body = &serial_number.as_bytes()[serial_number.len() - BODY_LEN..];
    let mut value: u64 = 0;
    for b in body {
        let d = ALPHABET.iter().position(|a| a == b)? as u64;
        value = value * 34 + d;
    }
    if value >> (2 * HALF_BITS) != 0 {
        return None;
    }
    let global = unpermute(seed, value);
    let slot = (global >> 24) as u16;
    let idx = (global & u64::from(MAX_DEVICES_PER_SERVER - 1)) as u32;
    (serial(world, slot, idx) == serial_number).then_some((slot, idx))
}

fn mac_address(h: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut b = h.to_be_bytes();
    // Locally administered unicast prefix keeps these clearly fake.
    b[2] = (b[2] & 0xFC) | 0x02;
    let mut out = String::with_capacity(17);
    for (i, byte) in b[2..].iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 15)] as char);
    }
    out
}

fn digits(h: u64, n: usize) -> String {
    let mut h = h;
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        s.push(char::from(b'0' + (h % 10) as u8));
        h = mix64(h);
    }
    s
}

/// Every generated attribute of device `idx` on server `slot`.
pub(crate) fn base_device(world: World, slot: u16, idx: u32) -> BaseDevice {
    let seed = world.seed;
    let global = global_index(slot, idx);
    let family = family_of(world, global);
    let models = match family {
        Family::IPhone => IPHONES,
        Family::IPad => IPADS,
        Family::Mac => MACS,
        Family::AppleTv => APPLE_TVS,
        Family::Vision => VISIONS,
    };
    let h = attr_hash(seed, global, 3);
    let spec = &models[(h % models.len() as u64) as usize];
    let color = pick(spec.colors, h >> 12);
    let capacity = pick(spec.capacities, h >> 24);
    let description = match family {
        Family::IPhone => format!("{} {color} {capacity}-USA", spec.stem),
        Family::IPad => format!("{} {capacity} - {color}", spec.stem),
        Family::Mac => format!("{} {color}/{capacity}-USA", spec.stem),
        Family::AppleTv => format!("{} {capacity}", spec.stem),
        Family::Vision => format!("{} {capacity}-USA", spec.stem),
    };
    let h2 = attr_hash(seed, global, 4);
    let asset_tag = (h2 % 100 < 30).then(|| format!("AT-{:06}", (h2 >> 8) % 1_000_000));
    let assigned_by_user = pick(&["it-procurement", "device.admin", "purchasing"], h2 >> 32);
    let is_replacement = (h2 >> 40).is_multiple_of(64);
    let cellular = matches!(family, Family::IPhone)
        || (matches!(family, Family::IPad) && spec.stem.contains("CELL"));
    let imei = if cellular {
        vec![format!("35{}", digits(attr_hash(seed, global, 5), 13))]
    } else {
        Vec::new()
    };
    let eid = (matches!(family, Family::IPhone))
        .then(|| format!("8904{}", digits(attr_hash(seed, global, 6), 28)));
    let ethernet_mac = (spec.model.starts_with("Mac mini")
        || spec.model.starts_with("iMac")
        || spec.model.contains("Ethernet"))
    .then(|| mac_address(attr_hash(seed, global, 7)));
    BaseDevice {
        serial: serial(world, slot, idx),
        family,
        model: spec.model,
        description,
        color,
        capacity,
        asset_tag,
        assigned_by_user,
        is_replacement,
        wifi_mac: mac_address(attr_hash(seed, global, 8)),
        bluetooth_mac: mac_address(attr_hash(seed, global, 9)),
        ethernet_mac,
        imei,
        eid,
    }
}

/// Serial of the device that replacement device `idx` replaced.
pub(crate) fn original_serial(world: World, slot: u16, idx: u32) -> String {
    serial(world, slot | ORIGINAL_SLOT_BIT, idx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn permutation_round_trips() {
        for x in [0u64, 1, 2, 12345, (1 << 40) - 1, 0xAB_CDEF_0123] {
            assert_eq!(unpermute(7, permute(7, x)), x);
        }
    }

    #[test]
    fn serials_are_unique_decodable_and_apple_shaped() {
        let mut seen = HashSet::new();
        for idx in 0..20_000 {
            let s = serial(World::mixed(42), 3, idx);
            assert!(s.len() == 10 || s.len() == 12, "{s}");
            assert!(s.bytes().all(|b| ALPHABET.contains(&b)), "{s}");
            assert_eq!(decode_serial(World::mixed(42), &s), Some((3, idx)));
            assert!(seen.insert(s));
        }
        assert_eq!(decode_serial(World::mixed(42), "C02XXXXXXXXX"), None);
        assert_eq!(
            decode_serial(World::mixed(43), &serial(World::mixed(42), 3, 5)),
            None
        );
    }

    #[test]
    fn devices_are_deterministic_and_varied() {
        let a = base_device(World::mixed(9), 0, 77);
        let b = base_device(World::mixed(9), 0, 77);
        assert_eq!(a.serial, b.serial);
        assert_eq!(a.description, b.description);
        let families: HashSet<&str> = (0..500)
            .map(|i| base_device(World::mixed(9), 0, i).family.wire())
            .collect();
        assert_eq!(families.len(), 5);
        let mobile = World {
            seed: 9,
            fleet: crate::Fleet::Mobile,
        };
        let families: HashSet<&str> = (0..500)
            .map(|i| base_device(mobile, 0, i).family.wire())
            .collect();
        assert_eq!(families, HashSet::from(["iPhone", "iPad"]));
        for idx in 0..200 {
            assert_eq!(
                decode_serial(mobile, &serial(mobile, 0, idx)),
                Some((0, idx))
            );
        }
    }
}
