// The page: text formatting, Vega-Lite helpers and the self-contained HTML.

#include <fmt/format.h>
#include <cctype>

#include "internal.hpp"

namespace aidc::detail {
// The minified bundles of tools/report/package-lock.json, embedded at build time.
extern const char kVegaMinJs[];
extern const char kVegaLiteMinJs[];
extern const char kVegaEmbedMinJs[];
}  // namespace aidc::detail

namespace aidc::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void add_chart(Page& page, std::string heading, std::string id, json spec, std::string caption) {
  page.blocks.push_back(
      Block{std::move(heading), std::move(id), std::move(spec), std::move(caption), ""});
}

void add_note(Page& page, std::string heading, std::string note) {
  page.blocks.push_back(Block{std::move(heading), "", json(), "", std::move(note)});
}

/// JSON for a <script type="application/json"> element: "<" only occurs inside strings, where
/// \u003c means the same, so no "</script>" can close the element early.
std::string script_json(const json& j) {
  const std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

/// A bundle for a <script> element: "</script" (in a string or a regular expression) is
/// written "<\/script", which reads the same; the source-map comment points at no file here.
std::string script_js(std::string_view code) {
  auto is_script = [](std::string_view text) {
    constexpr std::string_view kScript = "script";
    if (text.size() < kScript.size()) return false;
    for (std::size_t i = 0; i < kScript.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(text[i])) != kScript[i]) return false;
    }
    return true;
  };
  std::string out;
  out.reserve(code.size() + 16);
  for (std::size_t i = 0; i < code.size();) {
    const std::size_t next = code.find("</", i);
    if (next == std::string_view::npos) {
      out.append(code.substr(i));
      break;
    }
    out.append(code.substr(i, next + 1 - i));
    if (is_script(code.substr(next + 2))) out += '\\';
    i = next + 1;
  }
  // Only a comment on the last line is the bundle's own source-map reference.
  const std::size_t map = out.rfind("//# sourceMappingURL=");
  if (map != std::string::npos && (map == 0 || out[map - 1] == '\n') &&
      out.find_first_not_of(
          " \r\n", out.find('\n', map) == std::string::npos ? out.size() : out.find('\n', map)) ==
          std::string::npos) {
    return out.substr(0, map);
  }
  return out;
}

const char* const kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; }
header { background: #fff; border-bottom: 1px solid #ddd; padding: 1.2em 2em 0.6em; }
header h1 { margin: 0 0 0.2em; font-size: 1.5em; }
header .subtitle { margin: 0 0 0.8em; color: #666; }
dl.facts { display: flex; flex-wrap: wrap; gap: 0.6em 2.2em; margin: 0 0 0.6em; }
dl.facts div { min-width: 7em; }
dl.facts dt { font-size: 0.8em; color: #666; text-transform: uppercase; letter-spacing: 0.03em; }
dl.facts dd { margin: 0; font-size: 1.25em; font-variant-numeric: tabular-nums; }
main { padding: 0.5em 2em 2em; max-width: 1100px; }
section { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; margin: 1.2em 0;
          padding: 0.8em 1.2em; }
section h2 { font-size: 1.1em; margin: 0.2em 0 0.6em; }
.chart { width: 100%; min-height: 60px; }
.chart.error { color: #b00020; white-space: pre-wrap; }
.caption { color: #555; font-size: 0.9em; margin: 0.6em 0 0.2em; }
section.answer { border-left: 4px solid #4c78a8; }
section.answer ul { margin: 0.2em 0; padding-left: 1.2em; }
section.answer li { margin: 0.3em 0; line-height: 1.4; }
.note { color: #7a5b00; background: #fff8e1; border-left: 3px solid #f0c000; padding: 0.4em 0.8em;
        font-size: 0.9em; }
footer { color: #888; font-size: 0.8em; padding: 0 2em 2em; }
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  body { background: #fff; color: #000; }
  header { background: none; border-bottom: 1px solid #bbb; padding: 0 0 0.4em;
           break-inside: avoid; break-after: avoid; }
  dl.facts, dl.facts div { break-inside: avoid; }
  main { padding: 0; max-width: none; }
  section { background: none; border: none; border-radius: 0; margin: 1em 0; padding: 0;
            break-inside: avoid; }
  section h2 { break-after: avoid; }
  section.answer { border-left: 3px solid #4c78a8; padding-left: 0.8em; }
  .note { background: none; }
  .chart { min-height: 0; }
  .chart svg, .chart canvas { max-width: 100%; height: auto; }
  .chart:not([data-rendered])::before { content: "This chart was not drawn before printing."; }
  * { box-shadow: none !important; text-shadow: none !important; }
  footer { color: #666; padding: 0.8em 0 0; break-before: avoid; break-inside: avoid; }
}
)";

// Draws every chart; data-rendered tells a reader (or a test) when each has been drawn.
const char* const kBoot = R"(
(function () {
  var specs = JSON.parse(document.getElementById('aidc-specs').textContent);
  function failed(el, err) {
    el.setAttribute('data-rendered', 'error');
    el.classList.add('error');
    el.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : err);
  }
  Object.keys(specs).forEach(function (id) {
    var el = document.getElementById(id);
    try {
      vegaEmbed(el, specs[id], {actions: false, renderer: 'svg'})
        .then(function () { el.setAttribute('data-rendered', 'true'); })
        .catch(function (err) { failed(el, err); });
    } catch (err) {
      failed(el, err);
    }
  });
  var v = document.getElementById('aidc-versions');
  if (v && typeof vega !== 'undefined' && typeof vegaLite !== 'undefined') {
    v.textContent = 'Vega ' + vega.version + ', Vega-Lite ' + vegaLite.version +
      (typeof vegaEmbed !== 'undefined' ? ', Vega-Embed ' + vegaEmbed.version : '');
  }
})();
)";

std::string render_html(const Page& page, const fs::path& dir) {
  std::string out;
  out.reserve(1200000);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<meta name=\"generator\" content=\"aidc {}\">\n", AIDC_VERSION);
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n", html_escape(page.title), kStyle);
  out +=
      "<!-- Vega, Vega-Lite and Vega-Embed: Copyright (c) the University of Washington "
      "Interactive Data Lab, BSD-3-Clause license; Vega-Embed bundles fast-json-patch (MIT), "
      "json-stringify-pretty-compact (MIT), semver (ISC) and tslib (0BSD). -->\n";
  for (const char* bundle : {detail::kVegaMinJs, detail::kVegaLiteMinJs, detail::kVegaEmbedMinJs}) {
    out += "<script>";
    out += script_js(bundle);
    out += "</script>\n";
  }
  out += "</head>\n<body>\n<header>\n";
  out += fmt::format("<h1>{}</h1>\n", html_escape(page.title));
  out += fmt::format("<p class=\"subtitle\">{}</p>\n", html_escape(page.subtitle));
  if (!page.facts.empty()) {
    out += "<dl class=\"facts\">\n";
    for (const auto& [label, value] : page.facts) {
      out += fmt::format("<div><dt>{}</dt><dd>{}</dd></div>\n", html_escape(label),
                         html_escape(value));
    }
    out += "</dl>\n";
  }
  out += "</header>\n<main>\n";
  if (!page.answer.empty()) {
    out += "<section class=\"answer\">\n<h2>The answer</h2>\n<ul>\n";
    for (const auto& line : page.answer) out += fmt::format("<li>{}</li>\n", html_escape(line));
    out += "</ul>\n</section>\n";
  }
  json specs = json::object();
  for (const auto& b : page.blocks) {
    out += fmt::format("<section>\n<h2>{}</h2>\n", html_escape(b.heading));
    if (!b.note.empty()) out += fmt::format("<p class=\"note\">{}</p>\n", html_escape(b.note));
    if (!b.id.empty()) {
      out += fmt::format("<div class=\"chart\" id=\"{}\"></div>\n", html_escape(b.id));
      specs[b.id] = b.spec;
    }
    if (!b.caption.empty()) {
      out += fmt::format("<p class=\"caption\">{}</p>\n", html_escape(b.caption));
    }
    out += "</section>\n";
  }
  out += "</main>\n";
  out += fmt::format(
      "<footer>Made by aidc {} from {}. Charts drawn by <span id=\"aidc-versions\">Vega-Lite</span>"
      ".</footer>\n",
      AIDC_VERSION, html_escape(dir.string()));
  out += "<script type=\"application/json\" id=\"aidc-specs\">";
  out += script_json(specs);
  out += "</script>\n<script>";
  out += kBoot;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace aidc::report
