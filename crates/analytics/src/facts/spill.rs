//! Entries kept narrow, with the few that do not fit kept whole beside them.
//!
//! The sums of one store, day and channel are small (tens of orders, a few thousand yuan), so
//! the line groups of a cell are kept with 16- and 32-bit fields: half the bytes or less.
//! Exactness does not depend on the data being small: an entry with a figure that does not fit
//! is kept wide in a side table and its narrow slot only says so. Unlike the product points (a
//! store with one point too large keeps them all whole), one large day costs one wide entry.

use std::fmt::Debug;

/// The narrow form of an entry.
pub(super) trait Narrow: Copy + Debug {
    /// The entry as built and as read.
    type Wide: Copy + Debug;
    /// The slot of an entry kept wide; never the narrowing of an entry.
    const SPILLED: Self;
    /// `wide` narrowed, or `None` when a figure does not fit (or would read as spilled).
    fn narrow(wide: &Self::Wide) -> Option<Self>;
    /// The entry as built.
    fn widen(&self) -> Self::Wide;
    /// True for [`Narrow::SPILLED`].
    fn is_spilled(&self) -> bool;
}

/// A list of entries, each kept as its [`Narrow`] form when it fits.
#[derive(Debug)]
pub(super) struct Packed<N: Narrow> {
    items: Vec<N>,
    /// (index, entry) of the entries that did not fit, by index.
    wide: Vec<(u32, N::Wide)>,
}

impl<N: Narrow> Default for Packed<N> {
    fn default() -> Self {
        Packed {
            items: Vec::new(),
            wide: Vec::new(),
        }
    }
}

impl<N: Narrow> Packed<N> {
    /// Appends `entry`.
    pub(super) fn push(&mut self, entry: N::Wide) {
        match N::narrow(&entry) {
            Some(n) => self.items.push(n),
            None => {
                self.wide.push((self.items.len() as u32, entry));
                self.items.push(N::SPILLED);
            }
        }
    }

    /// Number of entries.
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// Entry `i`.
    pub(super) fn get(&self, i: usize) -> N::Wide {
        let n = &self.items[i];
        if n.is_spilled() {
            let at = self.wide.partition_point(|e| (e.0 as usize) < i);
            self.wide[at].1
        } else {
            n.widen()
        }
    }

    /// Entries `start..end`.
    pub(super) fn range(&self, start: usize, end: usize) -> impl Iterator<Item = N::Wide> + '_ {
        (start..end).map(|i| self.get(i))
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<N>()
            + self.wide.capacity() * std::mem::size_of::<(u32, N::Wide)>()
    }

    /// Drops spare capacity (once built).
    pub(super) fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
        self.wide.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A count that fits in a byte, 255 standing for "kept wide".
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Small(u8);

    impl Narrow for Small {
        type Wide = u64;
        const SPILLED: Self = Small(u8::MAX);

        fn narrow(wide: &u64) -> Option<Self> {
            u8::try_from(*wide)
                .ok()
                .filter(|&v| v != u8::MAX)
                .map(Small)
        }

        fn widen(&self) -> u64 {
            u64::from(self.0)
        }

        fn is_spilled(&self) -> bool {
            *self == Self::SPILLED
        }
    }

    #[test]
    fn entries_that_do_not_fit_read_back_from_the_side_table() {
        let built = [3, 255, 70_000, 0, u64::MAX, 254, 256];
        let mut packed = Packed::<Small>::default();
        for v in built {
            packed.push(v);
        }
        packed.shrink_to_fit();
        assert_eq!(packed.len(), built.len());
        assert_eq!(packed.range(0, built.len()).collect::<Vec<_>>(), built);
        assert_eq!(
            packed.range(2, 5).collect::<Vec<_>>(),
            [70_000, 0, u64::MAX]
        );
        assert_eq!(
            packed.wide.len(),
            4,
            "255, 70,000, u64::MAX and 256 are kept wide"
        );
    }
}
