//! Debug mode's detailed error pages: the error chain, the request line and the headers, for
//! every response that carries an error. Mounted only in debug mode (never shows internals to
//! the LAN in production).

use std::fmt::Write as _;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

/// Middleware (for `middleware::from_fn`) that replaces error responses with a detailed page.
pub async fn detailed_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_line = format!("{} {} {:?}", req.method(), req.uri(), req.version());
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    // The request must not be cloned before routing (actix-web needs it uniquely owned), so the
    // page is built from the response's own copy afterwards.
    let res = next.call(req).await?;
    let status = res.status();
    let page = match res.response().error() {
        Some(err) if status.is_client_error() || status.is_server_error() => {
            page(status, err, &request_line, &headers)
        }
        _ => return Ok(res.map_into_boxed_body()),
    };
    Ok(res.into_response(page))
}

fn page(
    status: StatusCode,
    err: &Error,
    request_line: &str,
    headers: &[(String, String)],
) -> HttpResponse {
    let mut chain = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    let mut html = String::from(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>错误详情</title>\
         <link rel=\"stylesheet\" href=\"/static/storeboard.css\"></head><body><header><h1>",
    );
    let _ = write!(
        html,
        "🐛 {} {}</h1><span class=\"warn\">调试模式错误详情:请勿在生产环境使用</span></header><main>",
        status.as_u16(),
        escape(status.canonical_reason().unwrap_or(""))
    );
    html.push_str("<section><h2>错误链 Error chain</h2><ol>");
    for cause in &chain {
        let _ = write!(html, "<li><code>{}</code></li>", escape(cause));
    }
    let _ = write!(
        html,
        "</ol><pre>{}</pre></section>",
        escape(&format!("{err:?}"))
    );
    let _ = write!(
        html,
        "<section><h2>请求 Request</h2><p><code>{}</code></p><table>",
        escape(request_line)
    );
    for (name, value) in headers {
        let _ = write!(
            html,
            "<tr><th><code>{}</code></th><td><code>{}</code></td></tr>",
            escape(name),
            escape(value)
        );
    }
    html.push_str("</table></section></main></body></html>");
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<script>alert('x')</script>&"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
    }
}
