//! An upload's aggregates made from the replaced snapshot's: the days the upload left alone are
//! copied, only the days it touched are read from their lines.
//!
//! An upload keeps the old snapshot's first and last days verbatim (the same orders, lines and
//! string ids: `storeboard_data::Lineage`); everything between them is new or moved. So the
//! new aggregates are the old cells of the kept days in front, the cells built from the lines
//! of the orders between, and the old cells of the kept days behind (their lines shifted by
//! what the upload added). The series take the old points of the kept days around the new
//! ones, and the customers are given again in order (one lookup per order), so that every id,
//! figure and line is what a build from scratch gives (the tests compare the two).
//!
//! Cost: `O(lines of the touched days + cells and points of the kept days + orders)`, where a
//! build is `O(lines)`: a month's upload into a year reads a month of lines, not the year.
//!
//! Built from scratch instead when a kept day's figures could differ: the store's channels
//! changed (cells are laid out per channel) or its optional columns did (whether 平台服务费 or
//! 佣金 exists decides a kept order's fee and the fee-channel filter).

use storeboard_data::{Lineage, StoreSnapshot};

use super::build::Builder;
use super::customers::NO_CUSTOMER;
use super::series::Keep;
use super::StoreFacts;
use crate::config::Business;

/// The aggregates of `snap` from `old`, those of the snapshot it replaced as `lineage` tells,
/// or `None` when they must be built from scratch.
pub(super) fn splice(
    old: &StoreFacts,
    lineage: &Lineage,
    snap: &StoreSnapshot,
    business: &Business,
) -> Option<StoreFacts> {
    let channels = snap.channel_syms();
    // The old aggregates' channels are the old snapshot's.
    if lineage.previous_present != snap.data.present
        || old.channels != channels
        || old.customers.orders() != lineage.previous_orders
    {
        return None;
    }
    let (orders, lines) = (snap.data.order_count(), snap.data.line_count());
    let (front, behind) = (lineage.prefix_orders, lineage.suffix_orders);
    if front + behind > orders.min(lineage.previous_orders)
        || lineage.prefix_lines + lineage.suffix_lines > lines.min(lineage.previous_lines)
    {
        return None;
    }
    let day = |i: usize| snap.data.orders.time[i].div_euclid(86_400);
    let keep = Keep {
        front_last: (front > 0).then(|| day(front - 1)),
        behind_first: (behind > 0).then(|| day(orders - behind)),
        line_shift: lines as i64 - lineage.previous_lines as i64,
    };
    // Old cells of the days in front, then behind (days of kept orders only, whole days).
    let front_days = old
        .days
        .partition_point(|&d| keep.front_last.is_some_and(|f| d <= f));
    let behind_days = old
        .days
        .partition_point(|&d| keep.behind_first.is_none_or(|b| d < b));

    let mut b = Builder::new(snap, business);
    customers_kept(&mut b, old, snap, 0..front, 0);
    b.facts.copy_days(old, 0..front_days);
    b.orders(snap, front..orders - behind);
    let behind_at = b.facts.days.len();
    b.facts.copy_days(old, behind_days..old.days.len());
    // Behind, the old snapshot's order at the same distance from its end.
    let shift = lineage.previous_orders as i64 - orders as i64;
    customers_kept(&mut b, old, snap, orders - behind..orders, shift);
    let kept = (
        origins(snap, &b.facts.days[..front_days]),
        origins(snap, &b.facts.days[behind_at..]),
    );
    let mut facts = b.facts;
    facts.series = b.series.splice(&old.series, &keep, kept);
    facts.customers = b.customers.finish();
    facts.shrink();
    #[cfg(debug_assertions)]
    let facts = checked(facts, snap, business);
    Some(facts)
}

/// Gives `snap`'s kept orders `range` their customers, in order: those the old snapshot's order
/// `i + shift` had (the same order, so kept by the same rules).
fn customers_kept(
    b: &mut Builder<'_>,
    old: &StoreFacts,
    snap: &StoreSnapshot,
    range: std::ops::Range<usize>,
    shift: i64,
) {
    for i in range {
        let was = usize::try_from(i as i64 + shift).unwrap_or(usize::MAX);
        if old.customers.of(was) != NO_CUSTOMER {
            b.customers.add(snap, i);
        }
    }
}

/// Each of `days` (days since 1970-01-01, all of `snap`) with the first line of its first
/// order: the origin of its lines in narrow points.
fn origins(snap: &StoreSnapshot, days: &[i64]) -> Vec<(i64, u32)> {
    let all = snap.days();
    days.iter()
        .map(|&d| {
            let at = all.partition_point(|(date, _)| super::day_number(*date) < d);
            let order = all.get(at).map_or(0, |(_, first)| *first as usize);
            let line = if order < snap.data.order_count() {
                snap.data.line_range(order).start
            } else {
                0
            };
            (d, line as u32)
        })
        .collect()
}

/// Every figure of a store's aggregates, as text, cell by cell and series by series.
#[cfg(debug_assertions)]
pub(super) fn dump(f: &StoreFacts) -> Vec<String> {
    let mut out = vec![format!("{:?} {:?} {}", f.days, f.channels, f.cells.len())];
    for k in 0..f.cells.len() {
        let at = |a: &[u32]| (a[k] as usize, a[k + 1] as usize);
        let ((c0, c1), (s0, s1), (d0, d1)) =
            (at(&f.category_at), at(&f.scene_at), at(&f.delivery_at));
        out.push(format!(
            "cell {k}: {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            f.cells[k],
            f.depths.figures(k).0,
            f.categories.range(c0, c1).collect::<Vec<_>>(),
            f.scenes.range(s0, s1).collect::<Vec<_>>(),
            f.sold.cell(k).collect::<Vec<_>>(),
            f.scene_coverage[k],
            f.delivery.range(d0, d1).collect::<Vec<_>>(),
        ));
    }
    for (k, s) in f.series.all().iter().enumerate() {
        let points: Vec<_> = f.series.points(k, i64::MIN, i64::MAX).iter().collect();
        out.push(format!("series {} {}: {points:?}", s.key, s.channel));
    }
    let ids: Vec<u32> = (0..f.customers.orders())
        .map(|i| f.customers.of(i))
        .collect();
    out.push(format!("customers {}: {ids:?}", f.customers.count()));
    out
}

/// In debug builds (every test), each splice is checked against a build from scratch: every
/// upload of the end-to-end tests checks it too.
#[cfg(debug_assertions)]
fn checked(spliced: StoreFacts, snap: &StoreSnapshot, business: &Business) -> StoreFacts {
    let built = super::build::build(snap, business);
    assert!(
        dump(&spliced) == dump(&built),
        "{}: spliced aggregates differ",
        snap.name
    );
    spliced
}

#[cfg(test)]
#[path = "splice_tests.rs"]
mod tests;
