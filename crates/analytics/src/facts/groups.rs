//! The line groups kept beside each cell (its categories, its (slot, scene) groups, its 配送
//! grid) and their narrow forms: 24, 20 and 12 bytes an entry instead of 48, 44 and 24 (see
//! [`super::spill`]; an entry that does not fit is kept whole).

use storeboard_data::dataset::Sym;

use super::spill::Narrow;

/// Line sums of one group (a category, or a slot × scene).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineSums {
    /// Lines.
    pub lines: u32,
    /// Σ 销量 (thousandths).
    pub quantity: i64,
    /// Σ 实收价格 × 销量 (1/100,000 yuan).
    pub sales: i64,
    /// Σ 利润额 (cents).
    pub profit: i64,
}

impl LineSums {
    /// Adds `o` to this one.
    pub fn merge(&mut self, o: &LineSums) {
        self.lines += o.lines;
        self.quantity += o.quantity;
        self.sales += o.sales;
        self.profit += o.profit;
    }
}

/// Line sums of one category of a cell: [`LineSums`] and Σ 商品采购成本 (kept apart from
/// `LineSums` so that the (slot, scene) sums do not carry a cost they never use).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategorySums {
    /// Lines, 销量, sales and 利润额.
    pub sums: LineSums,
    /// Σ 商品采购成本 (cents).
    pub cost: i64,
}

impl CategorySums {
    /// Adds `o` to this one.
    pub fn merge(&mut self, o: &CategorySums) {
        self.sums.merge(&o.sums);
        self.cost += o.cost;
    }
}

/// Orders of one 配送距离 bucket × time slot (the time-slot tab's 配送 grid).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliverySums {
    /// Orders.
    pub orders: u32,
    /// Σ 配送净成本 (cents).
    pub delivery_net: i64,
    /// Orders with 配送净成本 above `[business] delivery_cost_alert`.
    pub over_alert: u32,
}

impl DeliverySums {
    /// Adds `o` to this one.
    pub fn merge(&mut self, o: &DeliverySums) {
        self.orders += o.orders;
        self.delivery_net += o.delivery_net;
        self.over_alert += o.over_alert;
    }
}

fn i32_of(v: i64) -> Option<i32> {
    i32::try_from(v).ok()
}

/// A count below `u16::MAX` (which marks a spilled entry).
fn u16_of(v: u32) -> Option<u16> {
    u16::try_from(v).ok().filter(|&v| v != u16::MAX)
}

/// (一级分类名 string id, sums) in 24 bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct NarrowCategory {
    sym: Sym,
    /// `u32::MAX`: kept wide.
    lines: u32,
    quantity: i32,
    sales: i32,
    profit: i32,
    cost: i32,
}

impl Narrow for NarrowCategory {
    type Wide = (Sym, CategorySums);
    const SPILLED: Self = NarrowCategory {
        sym: 0,
        lines: u32::MAX,
        quantity: 0,
        sales: 0,
        profit: 0,
        cost: 0,
    };

    fn narrow(&(sym, c): &Self::Wide) -> Option<Self> {
        Some(NarrowCategory {
            sym,
            lines: Some(c.sums.lines).filter(|&l| l != u32::MAX)?,
            quantity: i32_of(c.sums.quantity)?,
            sales: i32_of(c.sums.sales)?,
            profit: i32_of(c.sums.profit)?,
            cost: i32_of(c.cost)?,
        })
    }

    fn widen(&self) -> Self::Wide {
        let sums = LineSums {
            lines: self.lines,
            quantity: i64::from(self.quantity),
            sales: i64::from(self.sales),
            profit: i64::from(self.profit),
        };
        let cost = i64::from(self.cost);
        (self.sym, CategorySums { sums, cost })
    }

    fn is_spilled(&self) -> bool {
        self.lines == u32::MAX
    }
}

/// (slot, scene index, sums, orders with a line there) in 20 bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct NarrowScene {
    slot: u8,
    scene: u8,
    /// `u16::MAX`: kept wide.
    lines: u16,
    orders: u16,
    quantity: i32,
    sales: i32,
    profit: i32,
}

impl Narrow for NarrowScene {
    type Wide = (u8, u8, LineSums, u32);
    const SPILLED: Self = NarrowScene {
        slot: 0,
        scene: 0,
        lines: u16::MAX,
        orders: 0,
        quantity: 0,
        sales: 0,
        profit: 0,
    };

    fn narrow(&(slot, scene, s, orders): &Self::Wide) -> Option<Self> {
        Some(NarrowScene {
            slot,
            scene,
            lines: u16_of(s.lines)?,
            orders: u16::try_from(orders).ok()?,
            quantity: i32_of(s.quantity)?,
            sales: i32_of(s.sales)?,
            profit: i32_of(s.profit)?,
        })
    }

    fn widen(&self) -> Self::Wide {
        let sums = LineSums {
            lines: u32::from(self.lines),
            quantity: i64::from(self.quantity),
            sales: i64::from(self.sales),
            profit: i64::from(self.profit),
        };
        (self.slot, self.scene, sums, u32::from(self.orders))
    }

    fn is_spilled(&self) -> bool {
        self.lines == u16::MAX
    }
}

/// (配送距离 bucket, slot, sums) in 12 bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct NarrowDelivery {
    bucket: u8,
    slot: u8,
    /// `u16::MAX`: kept wide.
    orders: u16,
    over_alert: u16,
    delivery_net: i32,
}

impl Narrow for NarrowDelivery {
    type Wide = (u8, u8, DeliverySums);
    const SPILLED: Self = NarrowDelivery {
        bucket: 0,
        slot: 0,
        orders: u16::MAX,
        over_alert: 0,
        delivery_net: 0,
    };

    fn narrow(&(bucket, slot, d): &Self::Wide) -> Option<Self> {
        Some(NarrowDelivery {
            bucket,
            slot,
            orders: u16_of(d.orders)?,
            over_alert: u16::try_from(d.over_alert).ok()?,
            delivery_net: i32_of(d.delivery_net)?,
        })
    }

    fn widen(&self) -> Self::Wide {
        let sums = DeliverySums {
            orders: u32::from(self.orders),
            delivery_net: i64::from(self.delivery_net),
            over_alert: u32::from(self.over_alert),
        };
        (self.bucket, self.slot, sums)
    }

    fn is_spilled(&self) -> bool {
        self.orders == u16::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::super::spill::Packed;
    use super::*;

    fn sums(lines: u32, big: i64) -> LineSums {
        LineSums {
            lines,
            quantity: -3_000,
            sales: big,
            profit: -big / 7,
        }
    }

    fn round_trip<N: Narrow>(built: &[N::Wide]) -> Vec<N::Wide> {
        let mut packed = Packed::<N>::default();
        for &e in built {
            packed.push(e);
        }
        packed.range(0, packed.len()).collect()
    }

    #[test]
    fn every_group_reads_back_as_built_whether_it_fits_or_not() {
        let big = i64::from(i32::MAX) + 1;
        let cat = |lines, sales, cost| {
            (
                7,
                CategorySums {
                    sums: sums(lines, sales),
                    cost,
                },
            )
        };
        let cats = [
            cat(3, 1_234_500, 90),
            cat(u32::MAX, 5, 5),
            cat(2, big, 1),
            cat(2, 1, -big),
        ];
        assert_eq!(round_trip::<NarrowCategory>(&cats), cats);
        let scenes = [
            (1, 4, sums(3, 99_000), 2),
            (7, 255, sums(65_535, 1), 1),
            (0, 0, sums(1, -big), 1),
            (2, 3, sums(1, 1), 65_536),
            (2, 3, sums(65_534, 1), 65_535),
        ];
        assert_eq!(round_trip::<NarrowScene>(&scenes), scenes);
        let d = |orders, delivery_net, over_alert| DeliverySums {
            orders,
            delivery_net,
            over_alert,
        };
        let delivery = [
            (3, 5, d(4, -1_250, 1)),
            (0, 0, d(65_535, 0, 0)),
            (1, 1, d(1, big, 1)),
            (1, 2, d(70_000, 1, 70_000)),
        ];
        assert_eq!(round_trip::<NarrowDelivery>(&delivery), delivery);
    }

    #[test]
    fn narrow_groups_are_the_sizes_the_docs_give() {
        use std::mem::size_of;
        assert_eq!(size_of::<NarrowCategory>(), 24);
        assert_eq!(size_of::<NarrowScene>(), 20);
        assert_eq!(size_of::<NarrowDelivery>(), 12);
    }
}
