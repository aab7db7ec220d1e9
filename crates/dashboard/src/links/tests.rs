use serde_json::json;

use super::*;

fn period() -> PageFilters {
    PageFilters::parse("from=2026-11-01&to=2026-11-07")
}

fn everything() -> PageFilters {
    PageFilters::parse("store=一号店 A&B&from=2026-11-01&to=2026-11-07&channel=美团闪购&tab=products&s_products=sales.asc")
}

/// Percent-decodes `text` (`+` is a space only when `plus` says so: in a query, not in a path).
fn decode(text: &str, plus: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) if plus => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn awkward_keys_stay_one_path_segment_and_come_back_whole() {
    for key in [
        "a/b",
        "x?y#z",
        "50%",
        "可乐 330ml",
        "+&=;",
        "~a-b_c.d",
        "..",
        "%2F",
    ] {
        let url = product_url("/", key, &period());
        let rest = url.strip_prefix("/products/").expect("under the base");
        let (segment, query) = rest.split_once('?').expect("the period follows");
        assert!(
            segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{key:?} → {url}"
        );
        assert_eq!(decode(segment, false), key, "{url}");
        assert_eq!(query, "from=2026-11-01&to=2026-11-07");
    }
    assert_eq!(encode_segment("a/b"), "a%2Fb");
    assert_eq!(encode_segment("x?y#z"), "x%3Fy%23z");
    assert_eq!(encode_segment("50%"), "50%25");
    assert_eq!(encode_segment("可乐 330ml"), "%E5%8F%AF%E4%B9%90%20330ml");
}

#[test]
fn a_product_link_carries_only_the_filters_that_are_set_under_any_base() {
    assert_eq!(
        product_url("/", "K1", &PageFilters::default()),
        "/products/K1"
    );
    assert_eq!(
        product_url("/dashboard/", "K1", &PageFilters::parse("channel=饿了么")),
        "/dashboard/products/K1?channel=%E9%A5%BF%E4%BA%86%E4%B9%88"
    );
    // A base without its slash gets one; the table's own parameters stay behind.
    let url = product_url("/dashboard", "K1", &everything());
    let (path, query) = url.split_once('?').expect("filters");
    assert_eq!(path, "/dashboard/products/K1");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("form");
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("store", "一号店 A"),
            ("from", "2026-11-01"),
            ("to", "2026-11-07"),
            ("channel", "美团闪购")
        ],
        "`&B` was a parameter of its own in the parsed query"
    );
    let (prefix, suffix) = product_url_parts("/dashboard/", &everything());
    assert_eq!(
        format!("{prefix}{}{suffix}", encode_segment("a/b")),
        product_url("/dashboard/", "a/b", &everything())
    );
}

#[test]
fn store_and_channel_links_open_the_overview_and_keep_the_rest() {
    let f = PageFilters {
        store: Some("A&B".into()),
        ..everything()
    };
    let store = store_url("/dashboard/", "二号店 #2", &f);
    let q = ViewQuery::parse(store.strip_prefix("/dashboard/?").expect("the page"));
    assert_eq!(q.get("tab"), Some("overview"));
    assert_eq!(q.get("store"), Some("二号店 #2"));
    assert_eq!(q.get("channel"), Some("美团闪购"));
    assert_eq!(
        (q.get("from"), q.get("to")),
        (Some("2026-11-01"), Some("2026-11-07"))
    );
    let channel = channel_url("/", "抖音&快手", &f);
    let q = ViewQuery::parse(channel.strip_prefix("/?").expect("the page"));
    assert_eq!(q.get("tab"), Some("overview"));
    assert_eq!(q.get("channel"), Some("抖音&快手"));
    assert_eq!(q.get("store"), Some("A&B"));
    assert_eq!(q.get("to"), Some("2026-11-07"));
    assert_eq!(q.get("s_products"), None);
}

#[test]
fn crumbs_go_from_all_stores_to_the_current_level_which_is_not_a_link() {
    let labels = |c: &[Crumb]| c.iter().map(|c| c.label.clone()).collect::<Vec<_>>();
    let only = crumbs("/", &period(), None);
    assert_eq!(labels(&only), ["全部门店"]);
    assert_eq!(only[0].url, None);

    let all = crumbs("/", &everything(), Some(("a/b", "可乐 330ml")));
    assert_eq!(
        labels(&all),
        ["全部门店", "一号店 A", "美团闪购", "可乐 330ml"]
    );
    let url = |i: usize| all[i].url.clone().expect("a link");
    let q = |i: usize| ViewQuery::parse(url(i).strip_prefix("/?").expect("the page"));
    assert_eq!(url(0), "/?tab=overview&from=2026-11-01&to=2026-11-07");
    assert_eq!(
        (q(1).get("store"), q(1).get("channel")),
        (Some("一号店 A"), None)
    );
    assert_eq!(
        (q(2).get("store"), q(2).get("channel")),
        (Some("一号店 A"), Some("美团闪购"))
    );
    assert_eq!(q(2).get("from"), Some("2026-11-01"));
    assert_eq!(all[3].url, None, "the product is where the reader is");

    // A channel without a store: 全部门店 → the channel; the page keeps its tab going up.
    let f = PageFilters::parse("channel=抖音&from=2026-11-01");
    let on_products = crumbs_in("/d/", "products", &f, None);
    assert_eq!(labels(&on_products), ["全部门店", "抖音"]);
    assert_eq!(
        on_products[0].url.as_deref(),
        Some("/d/?tab=products&from=2026-11-01")
    );
    assert_eq!(on_products[1].url, None);
    // As the product page's: the channel level is a link now.
    let product = crumbs("/d/", &f, Some(("K", "N")));
    assert_eq!(
        product[1].url.as_deref(),
        Some("/d/?tab=overview&from=2026-11-01&channel=%E6%8A%96%E9%9F%B3")
    );
    assert_eq!(
        product[2],
        Crumb {
            label: "N".into(),
            url: None
        }
    );
}

#[test]
fn cells_link_names_by_their_keys_and_lists_name_by_name() {
    let to = Targets {
        base: "/",
        filters: period(),
    };
    let row = json!({"name": "可乐", "key": "a/b", "store": "一号店", "channel": "抖音",
                     "products": ["可乐", "薯片"], "product_keys": ["K1", "K2"],
                     "reason_product": null, "reason_product_key": null});
    let one = to.cell(Link::Product("key"), &row, &row["name"]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].text, "可乐");
    assert_eq!(
        one[0].href.as_deref(),
        Some("/products/a%2Fb?from=2026-11-01&to=2026-11-07")
    );
    let list = to.cell(Link::Product("product_keys"), &row, &row["products"]);
    let hrefs: Vec<_> = list
        .iter()
        .map(|l| l.href.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        hrefs,
        [
            "/products/K1?from=2026-11-01&to=2026-11-07",
            "/products/K2?from=2026-11-01&to=2026-11-07"
        ]
    );
    let store = to.cell(Link::Store, &row, &row["store"]);
    assert!(store[0]
        .href
        .as_deref()
        .is_some_and(|h| h.contains("tab=overview")));
    let channel = to.cell(Link::Channel, &row, &row["channel"]);
    assert!(channel[0]
        .href
        .as_deref()
        .is_some_and(|h| h.contains("channel=%E6%8A%96%E9%9F%B3")));
    // Nothing to link: no key (a channel's 客单价异常 row), no name, a column of plain text.
    let channel_row = json!({"name": "抖音", "key": null});
    assert!(to
        .cell(Link::Product("key"), &channel_row, &channel_row["name"])
        .is_empty());
    assert!(to
        .cell(
            Link::Product("reason_product_key"),
            &row,
            &row["reason_product"]
        )
        .is_empty());
    assert!(to.cell(Link::None, &row, &row["name"]).is_empty());
    let mismatched = json!({"products": ["a", "b"], "product_keys": ["K1"]});
    assert!(to
        .cell(
            Link::Product("product_keys"),
            &mismatched,
            &mismatched["products"]
        )
        .is_empty());
}
