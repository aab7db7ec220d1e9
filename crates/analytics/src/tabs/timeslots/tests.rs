//! The time-slot tab on small hand-written files, every figure worked out by hand.

use super::*;
use crate::testkit::snapshots;
use chrono::NaiveDate;

const HEADER: &str = "订单ID,下单时间,门店名称,商品名称,销量,实收价格,利润额,一级分类名\n";

/// The tab of `rows` (after [`HEADER`]) on 2026-11-02 for `store` (all when `None`).
fn tab(rows: &str, store: Option<&str>) -> Timeslots {
    let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("valid");
    let filters = Filters {
        store: store.map(str::to_owned),
        from: day,
        to: day,
        channel: None,
        requested: None,
    };
    timeslots(
        &snapshots(&format!("{HEADER}{rows}")),
        &filters,
        &Business::default(),
    )
}

fn scene(t: &Timeslots, name: &str) -> usize {
    let i = t.heatmap.scenes.iter().position(|s| s == name);
    i.unwrap_or_else(|| panic!("no scene {name} in {:?}", t.heatmap.scenes))
}

#[test]
fn slot_boundaries_are_lower_inclusive_hours_and_all_eight_slots_are_listed() {
    const ROWS: &str = "T1,2026-11-02 08:59,一号店,扳手,1,1.00,0.10,五金
T2,2026-11-02 09:00,一号店,扳手,1,1.00,0.10,五金
T3,2026-11-02 00:00,一号店,扳手,1,1.00,0.10,五金
T4,2026-11-02 23:59,一号店,扳手,1,1.00,0.10,五金
T5,2026-11-02 05:59,一号店,扳手,1,1.00,0.10,五金
T6,2026-11-02 06:00,一号店,扳手,1,1.00,0.10,五金
";
    let t = tab(ROWS, None);
    let names: Vec<&str> = t.slots.iter().map(|s| s.slot.as_str()).collect();
    assert_eq!(
        names,
        ["清晨", "上午", "正午", "下午", "傍晚", "晚间", "深夜", "凌晨"]
    );
    let orders: Vec<usize> = t.slots.iter().map(|s| s.orders).collect();
    assert_eq!(
        orders,
        [2, 1, 0, 0, 0, 1, 1, 1],
        "08:59 清晨, 09:00 上午, 00:00 深夜"
    );
    assert_eq!(t.slots[2].avg_order_value, None);
}

#[test]
fn a_slot_counts_every_line_of_its_orders_consumables_included() {
    const ROWS: &str = "N1,2026-11-02 12:30,一号店,可乐,2,5.00,4.00,酒水饮料
N1,2026-11-02 12:30,一号店,打包袋,1,0.50,0.30,耗材
N2,2026-11-02 13:59,一号店,薯片,1,9.50,3.00,休闲食品
";
    let noon = &tab(ROWS, None).slots[2];
    assert_eq!(
        (noon.slot.as_str(), noon.orders, noon.lines),
        ("正午", 2, 3)
    );
    assert!((noon.sales - 20.0).abs() < 1e-9 && (noon.profit - 7.3).abs() < 1e-9);
    assert!((noon.avg_order_value.unwrap_or_default() - 10.0).abs() < 1e-9);
    assert!((noon.margin_pct.unwrap_or_default() - 36.5).abs() < 1e-9);
}

#[test]
fn a_keyword_beats_the_category_which_beats_the_slot_default() {
    const ROWS: &str = "S1,2026-11-02 18:30,一号店,牛奶巧克力,1,6.00,2.00,酒水饮料
S1,2026-11-02 18:30,一号店,雪饼,2,3.00,1.00,休闲食品
S1,2026-11-02 18:30,一号店,扳手,1,20.00,5.00,五金
";
    let t = tab(ROWS, None);
    let dusk = &t.heatmap.cells[4];
    let at = |name| dusk[scene(&t, name)];
    assert_eq!(
        at("早餐"),
        Cell {
            sales: 6.0,
            lines: 1,
            orders: 1,
            profit: 2.0
        },
        "牛奶 before 巧克力 and 酒水"
    );
    assert_eq!(
        at("休闲零食"),
        Cell {
            sales: 6.0,
            lines: 1,
            orders: 1,
            profit: 1.0
        },
        "雪饼 by its category"
    );
    assert_eq!(
        at("晚餐"),
        Cell {
            sales: 20.0,
            lines: 1,
            orders: 1,
            profit: 5.0
        },
        "傍晚's default"
    );
    assert_eq!(at("饮品解渴"), Cell::default());
    let snack = &t.scenes[scene(&t, "休闲零食")];
    assert_eq!((snack.lines, snack.quantity, snack.profit), (1, 2.0, 1.0));
    // One order, three lines in three scenes: each scene counts the order once, and its AOV
    // is its own sales per order (晚餐: ¥20 / 1).
    let dinner = &t.scenes[scene(&t, "晚餐")];
    assert_eq!((dinner.orders, dinner.avg_order_value), (1, Some(20.0)));
    // 扳手 (五金) took its slot's default, the two others a keyword and a category: 2 of 3.
    let coverage = t.scene_coverage_pct.unwrap_or_default();
    assert!((coverage - 200.0 / 3.0).abs() < 1e-9, "{coverage}");
}

#[test]
fn nothing_matched_gives_eight_zero_slots_and_a_zero_heatmap_with_stable_columns() {
    let t = tab(
        "Z1,2026-11-02 08:00,一号店,豆浆,1,3.00,1.00,乳品烘焙\n",
        Some("无"),
    );
    assert!(t.empty);
    assert_eq!(t.slots.len(), 8);
    assert!(t.slots.iter().all(|s| s.orders == 0 && s.sales == 0.0));
    let columns = [
        "早餐",
        "夜宵",
        "日用补充",
        "休闲零食",
        "饮品解渴",
        "居家做饭",
        "午餐",
        "下午茶",
        "晚餐",
    ];
    assert_eq!(t.heatmap.scenes, columns);
    assert_eq!(t.scenes.len(), columns.len());
    assert!(t
        .heatmap
        .cells
        .iter()
        .flatten()
        .all(|c| *c == Cell::default()));
    assert_eq!(t.heatmap.cells.len(), 8);
}

#[test]
fn categories_match_exactly_then_by_substring_either_way() {
    let scenes_of = Business::default();
    let scenes = Scenes::new(&scenes_of);
    let name = |category: &str| scenes.by_category(category).map(|i| scenes.names[i]);
    assert_eq!(name("方便速食"), Some("夜宵"), "exact");
    assert_eq!(name("碳酸饮料"), Some("饮品解渴"), "contains 饮料");
    assert_eq!(name("个人洗护"), Some("日用补充"), "contains 洗护");
    assert_eq!(name("家庭清洁"), Some("日用补充"));
    assert_eq!(name("家居日用"), Some("日用补充"));
    assert_eq!(name("粮油调味干货"), Some("居家做饭"));
    assert_eq!(name("休闲食品/零食"), Some("休闲零食"));
    assert_eq!(name("速食/罐头"), Some("夜宵"));
    assert_eq!(name("乳品"), Some("早餐"));
    assert_eq!(name("生鲜"), Some("居家做饭"));
    assert_eq!(
        name("酒水"),
        Some("夜宵"),
        "exact 酒水 before 酒水饮料 containing it"
    );
    assert_eq!(name("五金"), None);
    assert_eq!(
        name("品"),
        None,
        "one character never matches a longer name"
    );
    assert_eq!(name(""), None);
}

/// [`HEADER`] with 配送距离 and the three delivery fee columns: 配送净成本 = 物流配送费 −
/// (用户支付配送费 − 配送费减免金额).
const DELIVERY_HEADER: &str =
    "订单ID,下单时间,门店名称,商品名称,销量,实收价格,利润额,一级分类名,配送距离,物流配送费,用户支付配送费,配送费减免金额\n";

fn delivery_tab(rows: &str) -> Timeslots {
    let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("valid");
    let filters = Filters {
        store: None,
        from: day,
        to: day,
        channel: None,
        requested: None,
    };
    let snaps = snapshots(&format!("{DELIVERY_HEADER}{rows}"));
    let (fast, slow) = (
        timeslots(&snaps, &filters, &Business::default()),
        timeslots_from_lines(&snaps, &filters, &Business::default()),
    );
    crate::testkit::assert_same(&fast, &slow, "delivery");
    fast
}

fn delivery_cell<'t>(t: &'t Timeslots, bucket: &str, slot: &str) -> &'t delivery::DeliveryCell {
    let found = t
        .delivery
        .cells
        .iter()
        .find(|c| c.bucket == bucket && c.slot == slot);
    found.unwrap_or_else(|| panic!("no cell {bucket} × {slot}"))
}

#[test]
fn distance_buckets_are_lower_inclusive_metres_and_absent_ones_are_unknown() {
    assert_eq!(delivery::bucket_of(0.0), 0);
    assert_eq!(delivery::bucket_of(1999.9), 0);
    assert_eq!(delivery::bucket_of(2000.0), 1, "2000 m is 2-3km");
    assert_eq!(delivery::bucket_of(5999.0), 4);
    assert_eq!(delivery::bucket_of(6000.0), 5, "6-8km");
    assert_eq!(delivery::bucket_of(7999.0), 5);
    assert_eq!(delivery::bucket_of(8000.0), 6, "8km+");
    assert_eq!(delivery::bucket_of(f32::NAN), delivery::UNKNOWN);
    assert_eq!(delivery::bucket_of(-1.0), delivery::UNKNOWN);
    // Net costs: D1 8 − (3 − 0) = 5; D2 9 − (2 − 0) = 7 (above ¥6); D3 6 − 0 = 6 (not above).
    const ROWS: &str = "D1,2026-11-02 12:10,一号店,可乐,1,3.00,1.00,饮料,1999,8.00,3.00,0
D2,2026-11-02 12:20,一号店,可乐,1,3.00,1.00,饮料,2000,9.00,2.00,0
D3,2026-11-02 12:30,一号店,可乐,1,3.00,1.00,饮料,,6.00,0,0
";
    let t = delivery_tab(ROWS);
    assert_eq!(t.delivery.buckets.len(), 8);
    assert_eq!(t.delivery.cells.len(), 64);
    let near = delivery_cell(&t, "0-2km", "正午");
    assert_eq!((near.orders, near.delivery_net_per_order), (1, Some(5.0)));
    let two = delivery_cell(&t, "2-3km", "正午");
    assert_eq!((two.orders, two.over_alert, two.flagged), (1, 1, true));
    let unknown = delivery_cell(&t, "距离未知", "正午");
    assert_eq!(
        (unknown.orders, unknown.over_alert),
        (1, 0),
        "¥6 is not above ¥6"
    );
    let empty = delivery_cell(&t, "8km+", "清晨");
    assert_eq!(
        (empty.orders, empty.delivery_net_per_order, empty.flagged),
        (0, None, false)
    );
}

#[test]
fn a_cell_is_flagged_above_fifteen_percent_and_not_at_exactly_fifteen() {
    assert!(!delivery::flagged(3, 20), "3 / 20 = 15% exactly");
    assert!(delivery::flagged(4, 20), "20%");
    assert!(delivery::flagged(1, 6), "16.7%");
    assert!(!delivery::flagged(0, 0));
    // 20 orders at 3 km in 下午: three at net ¥7 (9 − 2), seventeen at ¥1 (3 − 2): 15%, not
    // flagged; ¥(3 × 7 + 17 × 1) / 20 = ¥1.90 per order.
    let mut rows = String::new();
    for k in 0..20 {
        let fee = if k < 3 { "9.00" } else { "3.00" };
        rows.push_str(&format!(
            "F{k},2026-11-02 15:00,一号店,可乐,1,3.00,1.00,饮料,3000,{fee},2.00,0\n"
        ));
    }
    let t = delivery_tab(&rows);
    let c = delivery_cell(&t, "3-4km", "下午");
    assert_eq!((c.orders, c.over_alert, c.flagged), (20, 3, false));
    assert!((c.over_alert_pct.unwrap_or_default() - 15.0).abs() < 1e-9);
    assert!((c.delivery_net_per_order.unwrap_or_default() - 1.9).abs() < 1e-9);
}

/// The share docs/metrics.md quotes: the lines of a generated export (the bench's catalogue)
/// that a keyword or their category places, consumables left out; with the keywords alone for
/// comparison. `cargo test -p storeboard-analytics --lib coverage -- --nocapture` prints both.
#[test]
fn most_lines_of_a_generated_export_get_a_keyword_or_category_scene() {
    let spec = storeboard_fixtures::ExportSpec {
        days: 14,
        orders_per_store_day: 60,
        ..storeboard_fixtures::ExportSpec::default()
    };
    let snaps = crate::testkit::generated(&spec);
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
    let filters = Filters {
        store: None,
        from: day(1) - chrono::Days::new(10),
        to: day(30),
        channel: None,
        requested: None,
    };
    let business = Business::default();
    let with = timeslots(&snaps, &filters, &business).scene_coverage_pct;
    let keywords_only = Business {
        category_scenes: Vec::new(),
        ..Business::default()
    };
    let without = timeslots(&snaps, &filters, &keywords_only).scene_coverage_pct;
    println!("scene coverage: defaults {with:?}, keywords only {without:?}");
    let with = with.unwrap_or_default();
    assert!(with >= 95.0, "{with}");
    assert!(with > without.unwrap_or_default());
}

#[test]
fn each_scene_lists_its_products_by_sales_and_products_without_a_scene_are_left_out() {
    // 可乐 ¥3 × 2 + ¥3 = ¥9 in 饮品解渴 (keyword), 农夫山泉 ¥2 by its category 饮料; 扳手 (五金)
    // has no scene of its own; 打包袋 is a consumable, never in the points.
    const ROWS: &str = "P1,2026-11-02 12:30,一号店,可乐,2,3.00,1.00,饮料
P1,2026-11-02 12:30,一号店,农夫山泉,1,2.00,0.50,饮料
P2,2026-11-02 18:30,一号店,可乐,1,3.00,0.80,饮料
P2,2026-11-02 18:30,一号店,扳手,1,20.00,5.00,五金
P2,2026-11-02 18:30,一号店,打包袋,1,0.50,0.30,耗材
";
    let t = tab(ROWS, None);
    let drinks = &t.product_scenes[scene(&t, "饮品解渴")];
    let names: Vec<&str> = drinks.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["可乐", "农夫山泉"]);
    let cola = &drinks.products[0];
    assert_eq!((cola.orders, cola.quantity, cola.sales), (2, 3.0, 9.0));
    assert!((cola.profit - 1.8).abs() < 1e-9);
    let listed: usize = t.product_scenes.iter().map(|s| s.count).sum();
    assert_eq!(listed, 2, "扳手 and 打包袋 are in no scene's list");
}

#[test]
fn two_threads_answer_exactly_what_one_thread_answers() {
    let spec = storeboard_fixtures::ExportSpec {
        stores: vec!["一号店".into(), "二号店".into(), "三号店".into()],
        days: 12,
        orders_per_store_day: 25,
        ..storeboard_fixtures::ExportSpec::default()
    };
    let snaps = crate::testkit::generated(&spec);
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
    for channel in [None, Some("美团闪购".to_owned())] {
        let f = Filters {
            store: None,
            from: day(1),
            to: day(9),
            channel,
            requested: None,
        };
        let business = Business::default();
        let one = on_threads(&snaps, &f, &business, false);
        assert!(!one.empty && !one.product_scenes.is_empty());
        assert_eq!(one, on_threads(&snaps, &f, &business, true));
    }
}
