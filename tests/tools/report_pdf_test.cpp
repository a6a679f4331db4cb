// aidc report --pdf, run as a user runs it: the page of a run and a comparison folder printed
// by headless Chromium, checked by its page count and its text; and the message when
// Chromium is missing.

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "support.hpp"

namespace report_pdf_test {

namespace fs = std::filesystem;
using aidc::test::Outcome;
using aidc::test::quoted;
using aidc::test::read_file;
using aidc::test::run_aidc;
using aidc::test::TempDir;

const char* const kChromium = "/usr/bin/chromium";
const char* const kPdfToText = "/usr/bin/pdftotext";

/// What the print stylesheet shows in place of a chart not yet drawn when printed.
const char* const kNotDrawn = "This chart was not drawn before printing.";

/// Whether Chromium is installed, with a warning when not; `make deps` installs it for
/// `make test`.
bool have_chromium() {
  if (fs::exists(kChromium)) return true;
  WARN("skipped: " << kChromium << " is not installed, so no PDF is printed "
                   << "(apt-get install chromium)");
  return false;
}

/// The page objects of a PDF: "/Type /Page", not "/Type /Pages" (the tree above them).
std::size_t page_count(const std::string& pdf) {
  std::size_t count = 0;
  for (std::size_t at = pdf.find("/Type"); at != std::string::npos;
       at = pdf.find("/Type", at + 1)) {
    std::size_t p = at + 5;
    while (p < pdf.size() && (pdf[p] == ' ' || pdf[p] == '\n' || pdf[p] == '\r')) ++p;
    if (pdf.compare(p, 5, "/Page") != 0) continue;
    if (p + 5 < pdf.size() && pdf[p + 5] == 's') continue;
    ++count;
  }
  return count;
}

/// How often `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

/// The text between the first `open` and the next `close` of `text`.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const std::size_t begin = text.find(open);
  REQUIRE(begin != std::string::npos);
  const std::size_t end = text.find(close, begin + open.size());
  REQUIRE(end != std::string::npos);
  return text.substr(begin + open.size(), end - begin - open.size());
}

/// Prints `folder`'s page with aidc report --pdf and checks the PDF.
///
/// The pages expected, a range since chart heights vary with the data, the fonts and the
/// Chromium version: the stylesheet prints on A4 (about 1,010 CSS px tall inside its
/// margins) and keeps each section whole. So there are at most sections + 1 pages (each
/// section fits on a page; the header may push the first one over), and at least
/// ceil(charts / 3): a chart section of these pages is over 300 px tall (a plot of at
/// least 200 px, its axes, heading and caption), so no page holds four.
void check_pdf(const TempDir& dir, const fs::path& folder) {
  const Outcome o = run_aidc(dir, "report " + quoted(folder) + " --pdf");
  INFO("report stdout:\n" << o.out << "report stderr:\n" << o.err);
  REQUIRE(o.exit_code == 0);
  CHECK_THAT(o.out, Catch::Contains("report.pdf"));
  const std::string html = read_file(folder / "report.html");
  const fs::path pdf_path = folder / "report.pdf";
  REQUIRE(fs::exists(pdf_path));
  const std::string pdf = read_file(pdf_path);
  REQUIRE(pdf.rfind("%PDF-", 0) == 0);
  // Nothing half-written is left beside it.
  for (const auto& entry : fs::directory_iterator(folder)) {
    CHECK(entry.path().filename().string().find(".partial") == std::string::npos);
  }

  const std::size_t sections = occurrences(html, "<section");
  const std::size_t charts = occurrences(html, "<div class=\"chart\"");
  REQUIRE(charts > 0);
  const std::size_t pages = page_count(pdf);
  CAPTURE(sections, charts, pages);
  CHECK(pages >= (charts + 2) / 3);
  CHECK(pages <= sections + 1);

  if (!fs::exists(kPdfToText)) {
    WARN("the PDF's text is not checked: " << kPdfToText << " is not installed "
                                           << "(apt-get install poppler-utils)");
    return;
  }
  const fs::path text_path = dir / "report.txt";
  const std::string command = std::string(kPdfToText) + " -enc UTF-8 " + quoted(pdf_path) + " " +
                              quoted(text_path) + " 2>" + quoted(dir / "pdftotext.log");
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string text = read_file(text_path);
  REQUIRE_FALSE(text.empty());
  const std::string title = between(html, "<h1>", "</h1>");
  CHECK_THAT(text, Catch::Contains(title));
  CHECK_THAT(text, Catch::Contains("Made by aidc"));  // the footer, on the last page
  // Every chart was drawn before the page was printed.
  CHECK_THAT(text, !Catch::Contains(kNotDrawn));
}

/// The output folder of `aidc COMMAND scenarios/SCENARIO --out DIR/COMMAND`.
fs::path made_folder(const TempDir& dir, const std::string& command, const std::string& scenario) {
  fs::path folder = dir / command;
  const Outcome o = run_aidc(
      dir, command + " " + quoted(fs::path(aidc::test::source_path("scenarios/" + scenario))) +
               " --out " + quoted(folder));
  INFO(command << " stderr:\n" << o.err);
  REQUIRE(o.exit_code == 0);
  return folder;
}

}  // namespace report_pdf_test

TEST_CASE("aidc report --pdf prints the page of a run folder", "[report][pdf][slow]") {
  if (!report_pdf_test::have_chromium()) return;
  const aidc::test::TempDir dir;
  report_pdf_test::check_pdf(dir, report_pdf_test::made_folder(dir, "run", "spare-capacity.json"));
}

TEST_CASE("aidc report --pdf prints the page of a comparison folder", "[report][pdf][slow]") {
  if (!report_pdf_test::have_chromium()) return;
  const aidc::test::TempDir dir;
  report_pdf_test::check_pdf(dir, report_pdf_test::made_folder(dir, "compare", "capex-plans.json"));
}

TEST_CASE("aidc report --pdf without Chromium writes the page and says what is missing",
          "[report][pdf]") {
  const aidc::test::TempDir dir;
  const auto run = report_pdf_test::made_folder(dir, "run", "spare-capacity.json");
  const auto o = aidc::test::run_aidc(dir, "report " + aidc::test::quoted(run) + " --pdf",
                                      {{"CHROMIUM", "/nonexistent"}});
  INFO("report stdout:\n" << o.out << "report stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("/nonexistent is not installed") &&
                        Catch::Contains("apt-get install chromium") && Catch::Contains("CHROMIUM"));
  CHECK(std::filesystem::exists(run / "report.html"));
  CHECK_FALSE(std::filesystem::exists(run / "report.pdf"));
}

TEST_CASE("aidc report --pdf when Chromium fails shows its exit status and last lines",
          "[report][pdf]") {
  const aidc::test::TempDir dir;
  const auto run = report_pdf_test::made_folder(dir, "run", "spare-capacity.json");
  // A stand-in that prints twelve lines and exits with status 3, writing no PDF.
  const auto failing = dir / "failing-chromium";
  aidc::test::write_file(failing,
                         "#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "
                         "\"line $i\"; done\nexit 3\n");
  std::filesystem::permissions(failing, std::filesystem::perms::owner_all);
  const auto o = aidc::test::run_aidc(dir, "report " + aidc::test::quoted(run) + " --pdf",
                                      {{"CHROMIUM", failing.string()}});
  INFO("report stderr:\n" << o.err);
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("exit status 3") && Catch::Contains("line 12") &&
                        Catch::Contains("line 3") && !Catch::Contains("line 2\n"));
  CHECK(std::filesystem::exists(run / "report.html"));
  CHECK_FALSE(std::filesystem::exists(run / "report.pdf"));
}
