//! Server-side templates (minijinja; `.html` templates auto-escape every value, so user data
//! such as a product named `<script>` shows as text). Embedded in production; read from disk on
//! every render in debug mode.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use minijinja::{Environment, Value};

use crate::format;

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// Debug mode could not read a template from disk.
    #[error("cannot read template {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The template failed to compile or render.
    #[error("template {name}: {source}")]
    Render {
        /// The template.
        name: String,
        /// What minijinja said (with line numbers).
        source: minijinja::Error,
    },
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "page.html",
    "macros.html",
    "filters.html",
    "tabs/today.html",
    "tabs/today_health.html",
    "tabs/overview.html",
    "tabs/products.html",
    "tabs/timeslots.html",
    "tabs/stores.html",
    "tabs/data.html",
    "tabs/pricing.html",
    "product.html",
);

/// Where templates come from.
#[derive(Debug, Clone)]
pub enum TemplateSource {
    /// Compiled into the binary (production).
    Embedded,
    /// Read from this `templates/` directory on every render (debug mode, hot reload).
    Disk(PathBuf),
}

impl TemplateSource {
    /// The crate's own `templates/` directory in the source tree, for debug mode.
    pub fn source_tree() -> Self {
        TemplateSource::Disk(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates"))
    }

    /// Renders template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, TemplateError> {
        let env = self.environment()?;
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|source| TemplateError::Render {
                name: name.to_owned(),
                source,
            })
    }

    fn environment(&self) -> Result<Arc<Environment<'static>>, TemplateError> {
        match self {
            TemplateSource::Embedded => {
                static ENV: OnceLock<Arc<Environment<'static>>> = OnceLock::new();
                if let Some(env) = ENV.get() {
                    return Ok(Arc::clone(env));
                }
                let mut env = base_environment();
                for (name, text) in TEMPLATES {
                    add(&mut env, name, (*text).to_owned())?;
                }
                Ok(Arc::clone(ENV.get_or_init(|| Arc::new(env))))
            }
            TemplateSource::Disk(dir) => {
                let mut env = base_environment();
                for (name, _) in TEMPLATES {
                    let path = dir.join(name);
                    let text =
                        std::fs::read_to_string(&path).map_err(|source| TemplateError::Read {
                            path: path.display().to_string(),
                            source,
                        })?;
                    add(&mut env, name, text)?;
                }
                Ok(Arc::new(env))
            }
        }
    }
}

fn add(env: &mut Environment<'static>, name: &str, text: String) -> Result<(), TemplateError> {
    env.add_template_owned(name.to_owned(), text)
        .map_err(|source| TemplateError::Render {
            name: name.to_owned(),
            source,
        })
}

/// The environment with our number filters: `money`, `num`, `qty`, `pct`, `signed_pct`.
fn base_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_filter("money", |v: Value| format::money(as_f64(&v)));
    env.add_filter("num", |v: Value| format::int(as_f64(&v)));
    env.add_filter("qty", |v: Value| format::quantity(as_f64(&v)));
    env.add_filter("pct", |v: Value| format::pct(as_f64(&v)));
    env.add_filter("signed_pct", |v: Value| format::signed_pct(as_f64(&v)));
    env.add_filter("tojson_attr", |v: Value| {
        serde_json::to_string(&v).unwrap_or_else(|_| "null".to_owned())
    });
    env
}

/// A number out of a template value; `None` for none/undefined/non-numbers.
fn as_f64(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn embedded_and_disk_templates_are_the_same_files() {
        let TemplateSource::Disk(dir) = TemplateSource::source_tree() else {
            unreachable!()
        };
        for (name, text) in TEMPLATES {
            let disk = std::fs::read_to_string(dir.join(name)).expect("on disk");
            assert_eq!(&disk, text, "{name}");
        }
    }

    #[test]
    fn user_text_is_escaped_in_html_templates() {
        let mut env = base_environment();
        env.add_template("t.html", "<p>{{ name }}</p>")
            .expect("compiles");
        let html = env
            .get_template("t.html")
            .and_then(|t| t.render(context! { name => "<script>alert(1)</script>" }))
            .expect("renders");
        assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</p>");
    }

    /// Renders `body` (which imports `macros.html` as `m`) with `ctx`.
    fn with_macros(body: &str, ctx: Value) -> String {
        let mut env = base_environment();
        for (name, text) in TEMPLATES {
            env.add_template(name, text).expect("compiles");
        }
        env.add_template("t.html", body).expect("compiles");
        env.get_template("t.html")
            .and_then(|t| t.render(ctx))
            .expect("renders")
    }

    #[test]
    fn linked_cells_are_anchors_and_the_current_crumb_is_not() {
        let cell = |text: &str, links: serde_json::Value| serde_json::json!({"text": text, "class": "", "links": links});
        let table = serde_json::json!({
            "id": "t", "headers": [{"label": "商品", "numeric": false, "sorted": "", "href": "?"}],
            "rows": [[cell("可乐", serde_json::json!([{"text": "可乐", "href": "/products/a%2Fb?x=1&y=2"}]))],
                     [cell("<b>", serde_json::json!([]))],
                     [cell("甲、乙", serde_json::json!([{"text": "甲", "href": "/products/K1"}, {"text": "乙", "href": null}]))]],
            "total": 3, "page": 1, "pages": 1, "first": 1, "last": 3, "prev_href": null, "next_href": null,
        });
        let html = with_macros(
            r#"{% import "macros.html" as m %}{{ m.table(t) }}{{ m.crumbs(c) }}"#,
            context! { t => table, c => crate::links::crumbs("/", &crate::links::PageFilters::parse("store=A"), None) },
        );
        assert!(html.contains(r#"<td class=""><a class="name-link" href="&#x2f;products&#x2f;a%2Fb?x=1&amp;y=2">可乐</a></td>"#), "{html}");
        assert!(html.contains(r#"<td class="">&lt;b&gt;</td>"#), "{html}");
        assert!(
            html.contains(r#"<a class="name-link" href="&#x2f;products&#x2f;K1">甲</a>、乙</td>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<li><a href="&#x2f;?tab=overview">全部门店</a></li>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<li><span aria-current="page">A</span></li>"#),
            "{html}"
        );
    }

    #[test]
    fn number_filters_format_for_chinese_readers() {
        let mut env = base_environment();
        env.add_template(
            "n.html",
            "{{ a|money }} {{ b|pct }} {{ c|num }} {{ d|money }}",
        )
        .expect("compiles");
        let html = env
            .get_template("n.html")
            .and_then(|t| t.render(context! { a => 1234567.891, b => 12.345, c => 9876, d => () }))
            .expect("renders");
        assert_eq!(html, "¥1,234,567.89 12.3% 9,876 —");
    }
}
