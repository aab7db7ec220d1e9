//! Every product, store and channel name on the dashboard leads somewhere, through the real
//! application: a generated export of two stores whose products' keys (店内码) need encoding
//! (`a/b`, `x?y#z`, `50%`, `可乐 330ml`) is uploaded, every tab's fragment is rendered over
//! HTTP, and every product name on it must be an `<a href>` to `/products/{key}` carrying the
//! request's filters; the quadrant chart carries the keys its clicks open; store and channel
//! names open their overview; the breadcrumbs walk the levels; and every link answers 200.
//!
//! `every_product_link_and_chart_point_opens_the_product_page` needs the product page
//! (`GET /products/{key}`), built apart from the links: it fails with 404s until it is there.

mod data;

use std::collections::{BTreeMap, BTreeSet};

use crate::dashboard::{api, charts, decode, html, params, unescape, ANALYSIS};
use crate::support::app::encode_segment;
use data::{filter_sets, map_of, query_of, seeded, Catalog, AWKWARD, FROM, S1, S2, TO};

/// Each element of `html` as (its opening tag without `<`, the text right after it), text
/// trimmed and unescaped (attributes hold no raw `>`: the templates escape them).
fn nodes(html: &str) -> Vec<(&str, String)> {
    html.split('<')
        .skip(1)
        .filter_map(|part| {
            let (tag, text) = part.split_once('>')?;
            Some((tag, unescape(text.trim())))
        })
        .collect()
}

/// The `href` of an opening tag, unescaped.
fn href(tag: &str) -> Option<String> {
    let at = tag.find(" href=\"")? + " href=\"".len();
    let rest = &tag[at..];
    Some(unescape(&rest[..rest.find('"')?]))
}

/// Checks one product link (`/products/{key}?…` named `text`): the key is one of the file's,
/// `text` one of its names, the query exactly `filters`. Returns the key.
fn check_product_link(
    url: &str,
    text: &str,
    c: &Catalog,
    filters: &BTreeMap<String, String>,
) -> String {
    let rest = url
        .strip_prefix("/products/")
        .unwrap_or_else(|| panic!("{url}"));
    let (segment, q) = rest.split_once('?').unwrap_or((rest, ""));
    assert!(
        segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
        "{url}: the key is not one encoded segment"
    );
    let key = decode(&segment.replace('+', "%2B"));
    let names = c
        .names
        .get(&key)
        .unwrap_or_else(|| panic!("{url}: no product {key:?}"));
    assert!(
        names.contains(text),
        "{url} is named {text:?}, the product is {names:?}"
    );
    assert_eq!(&params(q), filters, "{url}: not the request's filters");
    key
}

/// Every product link of a fragment rendered with `filters`, checked, as (URL, key, name);
/// also asserts that no product name on it is left as plain text.
fn product_links(
    html: &str,
    c: &Catalog,
    filters: &BTreeMap<String, String>,
    what: &str,
) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for (tag, text) in nodes(html) {
        let link = href(tag).filter(|h| tag.starts_with("a ") && h.starts_with("/products/"));
        match link {
            Some(url) => {
                let key = check_product_link(&url, &text, c, filters);
                found.push((url, key, text));
            }
            None => assert!(
                !c.is_name(&text),
                "{what}: the product {text:?} is plain text after <{tag}>"
            ),
        }
    }
    found
}

#[test]
fn every_product_name_on_every_tab_links_to_its_page_with_the_filters() {
    let (server, c) = seeded();
    let mut keys = BTreeSet::new();
    for filters in filter_sets(&c) {
        let (q, want) = (query_of(&filters), map_of(&filters));
        for tab in ANALYSIS {
            let fragment = html(&server, &format!("/tabs/{tab}{q}"));
            let links = product_links(&fragment, &c, &want, &format!("{tab}{q}"));
            if ["today", "products"].contains(&tab) {
                assert!(!links.is_empty(), "{tab}{q}: no product link");
            }
            keys.extend(links.into_iter().map(|(_, key, _)| key));
        }
    }
    // Every page of the product table: each product of the file is a link somewhere.
    let (q, want) = (query_of(&filter_sets(&c)[0]), map_of(&filter_sets(&c)[0]));
    for page in 1..=10 {
        let fragment = html(&server, &format!("/tabs/products{q}&p_products={page}"));
        let links = product_links(&fragment, &c, &want, &format!("page {page}"));
        keys.extend(links.into_iter().map(|(_, key, _)| key));
    }
    // The products the analysis lists (consumables and products of dropped orders are not).
    let json = api(&server, "products", &format!("{q}&limit=1000"));
    let listed: BTreeSet<String> = json["products"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["key"].as_str().map(str::to_owned))
        .collect();
    assert!(listed.len() > 100, "{json}");
    let missing: Vec<&String> = listed.difference(&keys).collect();
    assert!(missing.is_empty(), "never linked: {missing:?}");
    for key in AWKWARD {
        assert!(keys.contains(key), "{key}");
    }
}

/// The URLs a click on the quadrant chart's points opens, built as the page's script builds
/// them (prefix + the key as one segment + suffix), checked against the points' names.
fn chart_urls(fragment: &str, c: &Catalog, filters: &BTreeMap<String, String>) -> Vec<String> {
    let option = charts(fragment)
        .remove("商品四象限")
        .expect("the quadrant chart");
    let link = &option["sbLink"];
    let (prefix, suffix) = (link["prefix"].as_str(), link["suffix"].as_str());
    let (Some(prefix), Some(suffix)) = (prefix, suffix) else {
        panic!("no sbLink: {option}")
    };
    let mut urls = Vec::new();
    for series in option["series"].as_array().into_iter().flatten() {
        let points = series["data"].as_array().cloned().unwrap_or_default();
        let keys = series["sbKeys"].as_array().cloned().unwrap_or_default();
        assert_eq!(keys.len(), points.len(), "one key per point: {series}");
        for (point, key) in points.iter().zip(&keys) {
            let key = key.as_str().unwrap_or_else(|| panic!("{key}"));
            let url = format!("{prefix}{}{suffix}", encode_segment(key));
            let name = point[2].as_str().unwrap_or_default();
            assert_eq!(check_product_link(&url, name, c, filters), key);
            urls.push(url);
        }
    }
    urls
}

#[test]
fn every_product_link_and_chart_point_opens_the_product_page() {
    let (server, c) = seeded();
    let mut urls: BTreeMap<String, String> = BTreeMap::new();
    for filters in filter_sets(&c) {
        let (q, want) = (query_of(&filters), map_of(&filters));
        for tab in ANALYSIS {
            let fragment = html(&server, &format!("/tabs/{tab}{q}"));
            for (url, _, name) in product_links(&fragment, &c, &want, tab) {
                urls.insert(url, name);
            }
            if tab == "products" {
                for url in chart_urls(&fragment, &c, &want) {
                    let key = decode(&url["/products/".len()..url.find('?').unwrap_or(url.len())]);
                    let name = c.names[&key].iter().next().cloned().unwrap_or_default();
                    urls.entry(url).or_insert(name);
                }
            }
        }
    }
    assert!(urls.len() > c.names.len(), "{} links", urls.len());
    for (url, name) in &urls {
        let reply = server.fetch(url);
        assert_eq!(
            reply.status, 200,
            "GET {url} (the product page of {name:?})"
        );
        assert_eq!(
            reply.header("content-type"),
            "text/html; charset=utf-8",
            "{url}"
        );
        assert!(
            unescape(&reply.text()).contains(name.as_str()),
            "{url}: the page does not name {name:?}"
        );
    }
}

/// The links of `html` that open the overview page, as (text, parameters).
fn page_links(html: &str) -> Vec<(String, String, BTreeMap<String, String>)> {
    nodes(html)
        .into_iter()
        .filter(|(tag, _)| tag.starts_with("a "))
        .filter_map(|(tag, text)| {
            let url = href(tag)?;
            let q = url.strip_prefix("/?")?.to_owned();
            Some((text, url, params(&q)))
        })
        .collect()
}

/// The overview parameters of `filters` plus `extra`.
fn overview_of(
    filters: &BTreeMap<String, String>,
    extra: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut m = filters.clone();
    m.insert("tab".into(), "overview".into());
    m.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    m
}

/// Opens `url` and asserts that it is the overview with `value` selected in a filter.
fn assert_opens_overview_of(server: &crate::support::app::Api, url: &str, value: &str) {
    let page = html(server, url);
    let selected = format!("<option value=\"{}\" selected>", escape(value));
    assert!(
        page.contains(&selected),
        "{url} does not select it: no {selected}"
    );
    assert!(
        page.contains("data-tab=\"overview\" class=\"tab active\""),
        "{url}"
    );
}

#[test]
fn store_names_open_the_stores_overview_in_the_same_period() {
    let (server, c) = seeded();
    let (q, period) = (query_of(&filter_sets(&c)[0]), map_of(&filter_sets(&c)[0]));
    // 数据管理 lists both stores, each a link to its overview.
    let data = html(&server, &format!("/tabs/data{q}"));
    for store in [S1, S2] {
        let (_, url, p) = page_links(&data)
            .into_iter()
            .find(|(text, _, _)| text == store)
            .unwrap_or_else(|| panic!("{store} is not a link on 数据管理"));
        assert_eq!(p, overview_of(&period, &[("store", store)]), "{url}");
        assert_opens_overview_of(&server, &url, store);
    }
    // 今日必做's order rows name their store: a link too.
    let today = html(&server, &format!("/tabs/today{q}"));
    let stores: Vec<_> = page_links(&today)
        .into_iter()
        .filter(|(t, _, p)| p.get("store") == Some(t) && p.get("channel").is_none())
        .collect();
    assert!(!stores.is_empty(), "no store link on 今日必做");
    for (text, url, p) in stores {
        assert_eq!(p, overview_of(&period, &[("store", &text)]), "{url}");
    }
}

#[test]
fn channel_rows_open_the_channels_view_keeping_store_and_period() {
    let (server, c) = seeded();
    let (q, filters) = (query_of(&filter_sets(&c)[1]), map_of(&filter_sets(&c)[1]));
    let overview = html(&server, &format!("/tabs/overview{q}"));
    let json = api(&server, "overview", &q);
    let channels: Vec<&str> = json["channels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["channel"].as_str())
        .collect();
    assert!(!channels.is_empty(), "{json}");
    for channel in channels {
        let (_, url, p) = page_links(&overview)
            .into_iter()
            .find(|(text, _, p)| text == channel && p.get("channel").is_some())
            .unwrap_or_else(|| panic!("{channel} is not a link on 订单数据概览"));
        assert_eq!(p, overview_of(&filters, &[("channel", channel)]), "{url}");
        assert_opens_overview_of(&server, &url, channel);
    }
}

/// `text` as the templates escape it.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The breadcrumbs of a page or fragment: (label, URL or none for the current level).
fn crumbs(html: &str) -> Vec<(String, Option<String>)> {
    let start = html.find("<nav id=\"crumbs\"").expect("the breadcrumbs");
    let end = start + html[start..].find("</nav>").expect("their end");
    nodes(&html[start..end])
        .into_iter()
        .filter(|(tag, _)| tag.starts_with("a ") || tag.starts_with("span "))
        .map(|(tag, text)| (text, href(tag)))
        .collect()
}

#[test]
fn the_breadcrumbs_walk_up_to_all_stores_and_tab_switches_push_their_url() {
    let (server, c) = seeded();
    let both = &filter_sets(&c)[2];
    let channel = both[3].1.clone();
    let q = query_of(both);
    let page = html(&server, &format!("/{q}&tab=products"));
    let found = crumbs(&page);
    let labels: Vec<&str> = found.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["全部门店", S1, channel.as_str()]);
    assert_eq!(found[2].1, None, "the current level is not a link");
    let level = |i: usize| {
        let url = found[i]
            .1
            .clone()
            .unwrap_or_else(|| panic!("{:?} is a link", found[i]));
        (params(url.strip_prefix("/?").expect("the page")), url)
    };
    let period = [("tab", "products"), ("from", FROM), ("to", TO)];
    let expect = |extra: &[(&str, &str)]| -> BTreeMap<String, String> {
        period
            .iter()
            .chain(extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(level(0).0, expect(&[]));
    assert_eq!(level(1).0, expect(&[("store", S1)]));
    // Going up: the store's level has two crumbs, the last its own.
    let up = html(&server, &level(1).1);
    let up_crumbs = crumbs(&up);
    assert_eq!(up_crumbs.len(), 2);
    assert_eq!(up_crumbs[1], (S1.to_owned(), None));
    let top = html(&server, &level(0).1);
    assert_eq!(crumbs(&top), [("全部门店".to_owned(), None)]);
    // A fragment swaps the breadcrumbs too, and puts its page URL into the address bar.
    let reply = server.fetch(&format!("/tabs/overview{q}"));
    assert_eq!(reply.status, 200);
    let fragment = reply.text();
    assert!(fragment.contains(
        "<nav id=\"crumbs\" class=\"crumbs\" aria-label=\"当前位置\" hx-swap-oob=\"true\">"
    ));
    assert_eq!(
        crumbs(&fragment)[0]
            .1
            .as_deref()
            .map(|u| u.contains("tab=overview")),
        Some(true)
    );
    let pushed = reply.header("hx-push-url");
    let pushed_params = params(
        pushed
            .strip_prefix("/?")
            .unwrap_or_else(|| panic!("{pushed}")),
    );
    let mut want = map_of(both);
    want.insert("tab".into(), "overview".into());
    assert_eq!(pushed_params, want);
    // 数据管理 has none.
    let data = html(&server, &format!("/tabs/data{q}"));
    assert!(data.contains("aria-label=\"当前位置\" hx-swap-oob=\"true\" hidden>"));
}
