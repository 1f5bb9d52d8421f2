//! Tile paths of C2SP `tlog-tiles`: a mirror copies the whole log with plain, cacheable GETs.
//!
//! - `tile/L/N` holds the 256 hashes of tree level `8·L` starting at node `256·N` (32 bytes
//!   each); `tile/L/N.p/W` the first `W` (1–255) of a tile not yet full.
//! - `tile/entries/N` holds entries `256·N…` each as a big-endian 16-bit length and its bytes.
//! - `N` is written in groups of three digits, all but the last prefixed with `x`:
//!   1234067 is `x001/x234/067`.
//!
//! A full tile never changes (it can be cached for ever); a partial one is replaced as the log
//! grows.

/// Hashes (or entries) per full tile.
pub const WIDTH: u64 = 256;

/// Which tile a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// `None`: the entries; `Some(l)`: hashes of tree level `8·l`.
    pub level: Option<u8>,
    pub index: u64,
    /// Partial width, 1–255; `None` for a full tile.
    pub width: Option<u64>,
}

impl Tile {
    /// How many hashes or entries the tile holds.
    pub fn count(&self) -> u64 {
        self.width.unwrap_or(WIDTH)
    }

    /// The tree level its hashes are on.
    pub fn tree_level(&self) -> u8 {
        self.level.map_or(0, |l| l * 8)
    }

    /// Parses `L/N[.p/W]` or `entries/N[.p/W]` (the part after `tile/`).
    pub fn parse(path: &str) -> Option<Tile> {
        let (first, rest) = path.split_once('/')?;
        let level = match first {
            "entries" => None,
            l if l.len() == 1 && l.as_bytes()[0].is_ascii_digit() => {
                Some(l.parse::<u8>().ok().filter(|l| *l <= 7)?)
            }
            _ => return None,
        };
        let (n, width) = match rest.split_once(".p/") {
            Some((n, w)) => {
                let w: u64 = digits(w)?;
                if !(1..WIDTH).contains(&w) {
                    return None;
                }
                (n, Some(w))
            }
            None => (rest, None),
        };
        let parts: Vec<&str> = n.split('/').collect();
        let (last, groups) = parts.split_last()?;
        let mut index = 0u64;
        for g in groups {
            let g = g.strip_prefix('x')?;
            index = index.checked_mul(1000)?.checked_add(group(g)?)?;
        }
        index = index.checked_mul(1000)?.checked_add(group(last)?)?;
        Some(Tile {
            level,
            index,
            width,
        })
    }

    /// The path (after `tile/`).
    pub fn path(&self) -> String {
        let mut groups = vec![format!("{:03}", self.index % 1000)];
        let mut n = self.index / 1000;
        while n > 0 {
            groups.push(format!("x{:03}", n % 1000));
            n /= 1000;
        }
        groups.reverse();
        let level = self.level.map_or("entries".to_string(), |l| l.to_string());
        let mut p = format!("{level}/{}", groups.join("/"));
        if let Some(w) = self.width {
            p.push_str(&format!(".p/{w}"));
        }
        p
    }
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// A three-digit group.
fn group(s: &str) -> Option<u64> {
    (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_specification() {
        let t = Tile::parse("0/x001/x234/067").unwrap();
        assert_eq!((t.level, t.index, t.width), (Some(0), 1_234_067, None));
        assert_eq!(t.path(), "0/x001/x234/067");
        let t = Tile::parse("entries/000.p/7").unwrap();
        assert_eq!((t.level, t.index, t.count()), (None, 0, 7));
        assert_eq!(t.path(), "entries/000.p/7");
        assert_eq!(Tile::parse("1/012").unwrap().tree_level(), 8);
        for bad in [
            "0/1",
            "0/0001",
            "0/x1/000",
            "0/001/000",
            "9/000",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/07",
            "x/000",
            "0",
            "entries/abc",
        ] {
            assert_eq!(Tile::parse(bad), None, "{bad}");
        }
    }
}
