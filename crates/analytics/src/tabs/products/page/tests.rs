//! Unit tests of [`super`]: windows, sort orders, parsing, a page's totals.
use super::*;
use crate::products::InventoryWarnings;
use chrono::NaiveDate;

/// Row `key` with `sales` and margin `margin` (sales descending is the computed order).
fn row(key: &str, sales: f64, margin: Option<f64>) -> ProductRow {
    ProductRow {
        key: key.to_owned(),
        name: format!("商品{key}"),
        category: "饮料".to_owned(),
        sales,
        cost: 0.0,
        profit: 0.0,
        quantity: 1.0,
        recent_quantity: 0.0,
        orders: 1,
        stock: None,
        avg_price: None,
        margin_pct: margin,
        quadrant: Quadrant::Weed,
        activity: 1.0,
        days_sold: 1,
        turnover_days: None,
        abc: "A",
    }
}

/// Five rows in the computed order: sales 50, 40, 30, 30, 10.
fn rows() -> Vec<ProductRow> {
    vec![
        row("e", 50.0, Some(10.0)),
        row("b", 40.0, None),
        row("a", 30.0, Some(30.0)),
        row("d", 30.0, Some(10.0)),
        row("c", 10.0, Some(-5.0)),
    ]
}

fn keys(rows: &[&ProductRow]) -> Vec<String> {
    rows.iter().map(|r| r.key.clone()).collect()
}

fn paging(limit: usize, page: usize, sort: Option<&str>) -> Paging {
    Paging {
        limit,
        page,
        sort: sort.map(|s| s.parse().expect("a field")),
    }
}

#[test]
fn pages_continue_each_other_and_zero_means_every_row() {
    let rows = rows();
    assert_eq!(keys(&window(&rows, &paging(2, 1, None))), ["e", "b"]);
    assert_eq!(keys(&window(&rows, &paging(2, 2, None))), ["a", "d"]);
    assert_eq!(keys(&window(&rows, &paging(2, 3, None))), ["c"]);
    assert!(window(&rows, &paging(2, 4, None)).is_empty());
    assert!(window(&rows, &paging(2, usize::MAX, None)).is_empty());
    assert_eq!(keys(&window(&rows, &paging(0, 1, None))).len(), 5);
    assert!(window(&rows, &paging(0, 2, None)).is_empty());
    assert_eq!(paging(2, 1, None).pages(5), 3);
    assert_eq!(paging(5, 1, None).pages(5), 1);
    assert_eq!(paging(0, 1, None).pages(5), 1);
    assert_eq!(paging(2, 1, None).pages(0), 1);
}

#[test]
fn a_sort_is_stable_over_the_computed_order_with_missing_numbers_last() {
    let rows = rows();
    let all = |sort: &str| keys(&window(&rows, &paging(0, 1, Some(sort))));
    // Ties (a, d at 30) keep the computed order either way.
    assert_eq!(all("sales"), ["c", "a", "d", "b", "e"]);
    assert_eq!(all("-sales"), ["e", "b", "a", "d", "c"]);
    // b has no margin: last both ways; e and d tie at 10.
    assert_eq!(all("margin_pct"), ["c", "e", "d", "a", "b"]);
    assert_eq!(all("-margin_pct"), ["a", "e", "d", "c", "b"]);
    assert_eq!(all("key"), ["a", "b", "c", "d", "e"]);
    assert_eq!(all("-key"), ["e", "d", "c", "b", "a"]);
    // Every quantity is 1: the computed order.
    assert_eq!(all("-quantity"), ["e", "b", "a", "d", "c"]);
}

#[test]
fn a_sorted_page_equals_the_same_slice_of_the_fully_sorted_list() {
    let rows: Vec<ProductRow> = (0..97)
        .map(|i| {
            row(
                &format!("k{i:02}"),
                f64::from((i * 37) % 11),
                Some(f64::from(i % 7)),
            )
        })
        .collect();
    for sort in [
        "sales",
        "-sales",
        "margin_pct",
        "-margin_pct",
        "-key",
        "name",
    ] {
        let whole = keys(&window(&rows, &paging(0, 1, Some(sort))));
        for limit in [1, 7, 10, 96, 97, 200] {
            for page in 1..=(97 / limit + 2) {
                let from = ((page - 1) * limit).min(97);
                let to = (from + limit).min(97);
                let got = keys(&window(&rows, &paging(limit, page, Some(sort))));
                assert_eq!(got, whole[from..to], "{sort} limit {limit} page {page}");
            }
        }
    }
}

#[test]
fn sort_parameters_name_a_field_with_an_optional_minus() {
    let sort: Sort = "-margin_pct".parse().expect("valid");
    assert_eq!((sort.key, sort.descending), (SortKey::MarginPct, true));
    assert_eq!(sort.to_string(), "-margin_pct");
    let sort: Sort = "recent_quantity".parse().expect("valid");
    assert_eq!(
        (sort.key, sort.descending),
        (SortKey::RecentQuantity, false)
    );
    for bad in ["", "-", "Sales", "sales ", "--sales", "+sales", "price"] {
        let err = bad.parse::<Sort>().expect_err(bad);
        assert!(err.to_string().contains("margin_pct"), "{err}");
    }
    for key in SortKey::ALL {
        assert_eq!(SortKey::from_name(key.name()), Some(key));
    }
}

#[test]
fn quadrants_sort_by_their_names() {
    let mut rows = rows();
    for (r, q) in rows.iter_mut().zip(Quadrant::ALL) {
        r.quadrant = q;
    }
    let got = window(&rows, &paging(0, 1, Some("quadrant")));
    let names: Vec<&str> = got.iter().map(|r| quadrant_name(r.quadrant)).collect();
    assert_eq!(names, ["引流", "明星", "淘汰", "淘汰", "潜力"]);
    // The names match the serialised ones.
    for q in Quadrant::ALL {
        let json = format!("{:?}", quadrant_name(q));
        assert_eq!(serde_json::to_string(&q).expect("JSON"), json);
    }
}

#[test]
fn a_page_reports_totals_and_cuts_the_warning_lists_alike() {
    let rows = rows();
    let day = NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid");
    let products = Products {
        filters: Filters {
            store: None,
            from: day,
            to: day,
            channel: None,
            requested: None,
        },
        empty: false,
        products: rows.clone(),
        rankings: Rankings {
            by_sales: Vec::new(),
            by_profit: Vec::new(),
            by_margin: Vec::new(),
            by_quantity: Vec::new(),
            by_orders: Vec::new(),
        },
        quadrants: Quadrants {
            high_margin_pct: 30.0,
            median_quantity: 1.0,
            counts: Vec::new(),
            median_activity: 1.0,
        },
        inventory_warnings: InventoryWarnings {
            out_of_stock: rows[..3].to_vec(),
            slow_moving: Vec::new(),
            hot_low_stock: rows[4..].to_vec(),
            quantity_p75: 1.0,
            stock_p25: None,
        },
        abc: Default::default(),
        price_bands: Vec::new(),
        low_turnover: crate::products::LowTurnover {
            threshold_days: 30.0,
            rows: rows[1..].to_vec(),
        },
        quadrant_trend: Default::default(),
        migration: None,
    };
    let p = page(&products, &paging(2, 2, Some("-key")));
    assert_eq!((p.total_products, p.page, p.limit, p.pages), (5, 2, 2, 3));
    assert_eq!(p.sort.as_deref(), Some("-key"));
    assert_eq!(keys(&p.products), ["c", "b"]);
    let w = &p.inventory_warnings;
    assert_eq!(keys(&w.out_of_stock), ["a"]);
    assert!(w.hot_low_stock.is_empty());
    let totals = (
        w.total_out_of_stock,
        w.total_slow_moving,
        w.total_hot_low_stock,
    );
    assert_eq!(totals, (3, 0, 1));
    // 低周转 is cut like the warnings: rows b, a, c, d by -key → page 2 of 2: b, a.
    assert_eq!(keys(&p.low_turnover.rows), ["b", "a"]);
    assert_eq!(p.low_turnover.total, 4);
    // Every row on one page: the same JSON as the whole tab, plus the paging fields.
    let all = serde_json::to_value(page(&products, &paging(0, 1, None))).expect("JSON");
    let whole = serde_json::to_value(&products).expect("JSON");
    assert_eq!(all["products"], whole["products"]);
    for list in ["out_of_stock", "slow_moving", "hot_low_stock"] {
        assert_eq!(
            all["inventory_warnings"][list],
            whole["inventory_warnings"][list]
        );
    }
    assert_eq!(all["sort"], serde_json::Value::Null);
    assert_eq!(all["low_turnover"]["rows"], whole["low_turnover"]["rows"]);
    // The rankings keep their fields and answer `orders` too.
    assert_eq!(all["rankings"]["orders"], whole["rankings"]["by_orders"]);
    assert!(all["rankings"]["by_sales"].is_array());
    for field in ["abc", "price_bands", "quadrant_trend", "migration"] {
        assert!(all.get(field).is_some(), "{field}");
    }
}
