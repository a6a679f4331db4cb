// Warnings: input that is valid but probably not what the user meant. `aidc validate` prints
// them on standard error and still exits 0.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "aidc/scenario/scenario.hpp"
#include "limits.hpp"

namespace aidc {

namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// The rental class a text names ("spot", "on-demand", "on_demand", "reserved"), or nullopt
/// when it names none or more than one.
std::optional<WorkClass> named_class(const std::string& text) {
  const std::string t = lowercase(text);
  std::optional<WorkClass> found;
  int count = 0;
  auto has = [&](std::string_view word, WorkClass c) {
    if (t.find(word) == std::string::npos) return;
    if (!found || *found != c) ++count;
    found = c;
  };
  has("spot", WorkClass::spot);
  has("on-demand", WorkClass::on_demand);
  has("on_demand", WorkClass::on_demand);
  has("on demand", WorkClass::on_demand);
  has("reserved", WorkClass::reserved);
  return count == 1 ? found : std::nullopt;
}

}  // namespace

std::vector<Diagnostic> scenario_warnings(const nlohmann::json& doc, const Scenario& s) {
  std::vector<Diagnostic> out;
  auto warn = [&](std::string pointer, std::string message) {
    out.push_back(Diagnostic{s.file, std::move(pointer), "warning: " + std::move(message)});
  };
  // A rental stream whose id or description names another class than the one it is billed as.
  const auto* rentals = doc.contains("workloads") && doc.at("workloads").is_object() &&
                                doc.at("workloads").contains("rentals")
                            ? &doc.at("workloads").at("rentals")
                            : nullptr;
  if (rentals && rentals->is_array()) {
    for (std::size_t i = 0; i < rentals->size(); ++i) {
      const auto& r = (*rentals)[i];
      if (!r.is_object()) continue;
      const std::string pointer = fmt::format("/workloads/rentals/{}", i);
      const std::string id = r.value("id", "");
      const std::string cls = r.value("contract", "on_demand");
      // A description is free text of any type; only a string can name a class.
      const auto d = r.find("description");
      const std::string description =
          d != r.end() && d->is_string() ? d->get<std::string>() : std::string();
      for (const std::string* text : {&id, &description}) {
        const auto named = named_class(*text);
        if (!named || class_name(*named) == cls) continue;
        warn(pointer + "/contract",
             fmt::format("stream \"{}\" is billed as \"{}\"{} but its {} names \"{}\" (expected "
                         "\"contract\": \"{}\", or another name)",
                         id, cls, r.contains("contract") ? "" : " (the default)",
                         text == &id ? "id" : "description", class_name(*named),
                         class_name(*named)));
        break;
      }
    }
  }
  // Costs left at zero make every GPU-hour look cheap.
  if (s.finance) {
    const auto& f = doc.at("finance");
    const std::pair<const char*, const char*> costs[] = {
        {"facility_usd_per_kw_month",
         "facility costs are zero (expected the site's rent, e.g. 184.06 USD/kW-month, CBRE's "
         "2024 H2 North American colocation average)"},
        {"maintenance_fraction_per_year",
         "maintenance costs are zero (expected a share of capex a year, e.g. 0.04, the low end "
         "of the post-warranty rule of thumb)"}};
    for (const auto& [key, why] : costs) {
      if (f.contains(key) && f.at(key).is_number() && f.at(key).get<double>() > 0) continue;
      warn(fmt::format("/finance/{}", key),
           fmt::format("{} {}, so {}", key, f.contains(key) ? "is 0" : "is not given", why));
    }
  }
  reading::plan_warnings(s, out);
  return out;
}

}  // namespace aidc
