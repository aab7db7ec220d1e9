//! What an upload's snapshot keeps of the snapshot it replaced, so that values derived from the
//! old one (the analytics aggregates) can be carried over for the days the upload left alone
//! instead of being built again from every line of the store.

use std::any::Any;
use std::sync::Arc;

use crate::dataset::Present;

/// How a snapshot's orders relate to those of the snapshot it replaced: its first
/// `prefix_orders` orders (and `prefix_lines` lines) are the old snapshot's first ones, and its
/// last `suffix_orders` orders (`suffix_lines` lines) the old snapshot's last ones, copied
/// verbatim (the same string ids, the same order). Both are whole days. What lies between
/// is new, or was moved there; nothing is said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    /// Leading orders shared with the old snapshot, at the same indices.
    pub prefix_orders: usize,
    /// Their lines.
    pub prefix_lines: usize,
    /// Trailing orders shared with the old snapshot (the last ones of both).
    pub suffix_orders: usize,
    /// Their lines.
    pub suffix_lines: usize,
    /// The old snapshot's orders.
    pub previous_orders: usize,
    /// The old snapshot's lines.
    pub previous_lines: usize,
    /// The old snapshot's optional columns: figures of the kept days may depend on them.
    pub previous_present: Present,
}

impl Lineage {
    /// How a snapshot relates to this lineage's old snapshot, given `next`, how it relates to
    /// the snapshot this lineage describes: what both kept in front is the shorter of the two
    /// fronts (the first orders of all three snapshots), and so behind.
    pub fn then(&self, next: &Lineage) -> Lineage {
        let (prefix_orders, prefix_lines) = if self.prefix_orders <= next.prefix_orders {
            (self.prefix_orders, self.prefix_lines)
        } else {
            (next.prefix_orders, next.prefix_lines)
        };
        let (suffix_orders, suffix_lines) = if self.suffix_orders <= next.suffix_orders {
            (self.suffix_orders, self.suffix_lines)
        } else {
            (next.suffix_orders, next.suffix_lines)
        };
        Lineage {
            prefix_orders,
            prefix_lines,
            suffix_orders,
            suffix_lines,
            ..self.clone()
        }
    }
}

/// Which orders of the old snapshot an upload kept in front and behind, from the merge's
/// blocks of days in their final order: `(from old?, old order range)`.
pub(crate) fn kept_ends(
    blocks: impl DoubleEndedIterator<Item = (bool, std::ops::Range<usize>)> + Clone,
    previous_orders: usize,
) -> (usize, usize) {
    let mut prefix = 0;
    for (old, range) in blocks.clone() {
        if !old || range.start != prefix {
            break;
        }
        prefix = range.end;
    }
    let mut start = previous_orders;
    for (old, range) in blocks.rev() {
        if !old || range.end != start || range.start < prefix {
            break;
        }
        start = range.start;
    }
    // Everything kept at the front: nothing is left to count behind it.
    let suffix = if prefix >= previous_orders {
        0
    } else {
        previous_orders - start
    };
    (prefix, suffix)
}

/// The old snapshot's derived values that were built, with how the new snapshot relates to it.
pub(crate) struct Previous {
    pub(crate) values: Vec<(u64, Arc<dyn Any + Send + Sync>)>,
    pub(crate) lineage: Lineage,
}

impl std::fmt::Debug for Previous {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Previous")
            .field("values", &self.values.len())
            .field("lineage", &self.lineage)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_ends_are_the_old_days_copied_in_front_and_behind() {
        // Old days of 10 orders each: 0..10, 10..20, 20..30, 30..40; day 2 rewritten.
        let blocks = [(true, 0..10), (true, 10..20), (false, 0..7), (true, 30..40)];
        assert_eq!(kept_ends(blocks.iter().cloned(), 40), (20, 10));
        // A new day first, the old days after it.
        let blocks = [(false, 0..5), (true, 0..10), (true, 10..20)];
        assert_eq!(kept_ends(blocks.iter().cloned(), 20), (0, 20));
        // An old day dropped in the middle: the days after it are not the old prefix.
        let blocks = [(true, 0..10), (true, 20..30)];
        assert_eq!(kept_ends(blocks.iter().cloned(), 30), (10, 10));
        // Nothing changed: all prefix, no suffix counted twice.
        let blocks = [(true, 0..10), (true, 10..20)];
        assert_eq!(kept_ends(blocks.iter().cloned(), 20), (20, 0));
        // Nothing of the old kept.
        let blocks = [(false, 0..10)];
        assert_eq!(kept_ends(blocks.iter().cloned(), 20), (0, 0));
    }

    fn lineage(front: (usize, usize), behind: (usize, usize), previous: (usize, usize)) -> Lineage {
        Lineage {
            prefix_orders: front.0,
            prefix_lines: front.1,
            suffix_orders: behind.0,
            suffix_lines: behind.1,
            previous_orders: previous.0,
            previous_lines: previous.1,
            previous_present: Present::default(),
        }
    }

    #[test]
    fn two_lineages_compose_to_what_both_kept_of_the_first_snapshot() {
        // 100 orders (400 lines) → kept 60 in front, 30 behind; then of that → kept 40, 35.
        let first = lineage((60, 240), (30, 120), (100, 400));
        let second = lineage((40, 160), (35, 140), (110, 440));
        let both = first.then(&second);
        assert_eq!(both, lineage((40, 160), (30, 120), (100, 400)));
    }
}
