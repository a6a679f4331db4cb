#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aidc/report/report.hpp"
#include "aidc/run/output.hpp"
#include "aidc/scenario/errors.hpp"
#include "commands.hpp"

extern char** environ;  // NOLINT: POSIX declares it for posix_spawn

namespace aidc::cli {

namespace {
namespace fs = std::filesystem;

struct ReportOptions {
  std::string dir;
  std::string out;
  bool pdf = false;
};

/// The Chromium that prints the page: $CHROMIUM when set, else Debian's.
std::string chromium_path() {
  const char* env = std::getenv("CHROMIUM");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("/usr/bin/chromium");
}

/// `path` as a file:// URL, its bytes outside [A-Za-z0-9-._~/] percent-encoded.
std::string file_url(const fs::path& path) {
  std::string out = "file://";
  for (const char c : fs::absolute(path).lexically_normal().string()) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    out += plain ? std::string(1, c) : fmt::format("%{:02X}", u);
  }
  return out;
}

/// The last `count` non-empty lines of `text`.
std::string last_lines(const std::string& text, std::size_t count) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  std::string out;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    out += "\n  " + lines[i];
  }
  return out;
}

/// A fresh folder in the temporary directory for Chromium's profile and output, removed
/// with everything in it at the end.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "aidc-chromium-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw ScenarioError({Diagnostic{
          pattern, "", fmt::format("cannot create a temporary folder: {}", os_error_text(errno))}});
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Chromium gets this long to print; it normally takes seconds.
constexpr auto kChromiumTimeout = std::chrono::minutes(5);

/// Runs `args` with its output (both streams) in `log`; its wait status, or nullopt (the
/// process group killed) after kChromiumTimeout.
std::optional<int> run_logged(const std::vector<std::string>& args, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a hung Chromium goes with its helpers.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));  // NOLINT
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, args[0].c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0) {
    throw ScenarioError({Diagnostic{
        args[0], "", fmt::format("cannot start Chromium: {}", os_error_text(spawned))}});
  }
  const auto deadline = std::chrono::steady_clock::now() + kChromiumTimeout;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done == -1 && errno != EINTR) return status;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

/// Prints the page `html` to `pdf` with headless Chromium, once every chart is drawn (the
/// virtual time budget lets the page's scripts finish first). The PDF is written beside
/// `pdf` under another name and renamed into place, so no half-written PDF is ever seen.
void print_pdf(const fs::path& html, const fs::path& pdf) {
  const std::string chromium = chromium_path();
  if (::access(chromium.c_str(), X_OK) != 0) {
    throw ScenarioError({Diagnostic{
        pdf.string(), "",
        fmt::format("--pdf prints the page with headless Chromium, and {} {}; install it "
                    "(apt-get install chromium) or set CHROMIUM to its path. The page {} was "
                    "written",
                    chromium, fs::exists(chromium) ? "is not executable" : "is not installed",
                    html.string())}});
  }
  const ScratchDir scratch;
  const fs::path profile = scratch.path() / "profile";
  const fs::path printed = scratch.path() / "report.pdf";
  const fs::path log = scratch.path() / "chromium.log";
  fs::create_directories(profile);
  const std::vector<std::string> args = {chromium,
                                         "--headless",
                                         "--no-sandbox",
                                         "--disable-gpu",
                                         "--disable-quic",
                                         "--no-first-run",
                                         "--disable-background-networking",
                                         "--disable-component-update",
                                         "--disable-sync",
                                         "--user-data-dir=" + profile.string(),
                                         "--virtual-time-budget=20000",
                                         "--print-to-pdf=" + printed.string(),
                                         "--no-pdf-header-footer",
                                         file_url(html)};
  const std::optional<int> status = run_logged(args, log);
  const auto failed = [&](const std::string& what) {
    throw ScenarioError({Diagnostic{
        pdf.string(), "",
        fmt::format("Chromium ({}) could not print the page {}: {}; the last lines of its "
                    "output:{}",
                    chromium, html.string(), what, last_lines(read_all(log), 10))}});
  };
  if (!status) {
    failed(fmt::format("it did not finish within {} minutes and was stopped",
                       std::chrono::duration_cast<std::chrono::minutes>(kChromiumTimeout).count()));
  } else if (WIFSIGNALED(*status)) {
    failed(fmt::format("it was killed by signal {}", WTERMSIG(*status)));
  } else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    failed(fmt::format("exit status {}", WIFEXITED(*status) ? WEXITSTATUS(*status) : -1));
  }
  std::string content = read_all(printed);
  if (content.rfind("%PDF-", 0) != 0) failed("exit status 0, but it wrote no PDF");
  const fs::path parent = pdf.parent_path().empty() ? fs::path(".") : pdf.parent_path();
  write_files_atomically(parent.string(), {{pdf.filename().string(), std::move(content)}});
}

void report_command(const ReportOptions& opt) {
  const fs::path dir(opt.dir);
  const fs::path out = opt.out.empty() ? dir / "report.html" : fs::path(opt.out);
  if (out.filename().empty()) {
    throw ScenarioError({Diagnostic{opt.out, "", "--out: expected a file name, not a folder"}});
  }
  check_out_file(out.string());
  fs::path pdf = out;
  pdf.replace_extension(".pdf");
  if (opt.pdf) {
    if (pdf == out) {
      throw ScenarioError({Diagnostic{opt.out, "",
                                      "--out: the page would be overwritten by the "
                                      "PDF; name it FILE.html"}});
    }
    check_out_file(pdf.string());
  }
  const report::FolderKind kind = report::detect_folder(dir);
  const std::string html = report::build_report_html(dir);
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  write_files_atomically(parent.string(), {{out.filename().string(), html}});
  fmt::print("report of the {} folder {} written to {}\n", report::folder_kind_name(kind),
             dir.string(), out.string());
  if (opt.pdf) {
    std::fflush(stdout);
    print_pdf(out, pdf);
    fmt::print("printed to {}\n", pdf.string());
  }
}
}  // namespace

void setup_report_command(CLI::App& app) {
  auto opt = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report", "Turn the output folder of run, compare or sweep into one offline HTML page");
  cmd->add_option("dir", opt->dir, "Output folder of aidc run, compare or sweep")->required();
  cmd->add_option("--out", opt->out, "Write the page here instead of DIR/report.html");
  cmd->add_flag("--pdf", opt->pdf,
                "Also print the page to a PDF beside it (DIR/report.pdf) with headless Chromium "
                "($CHROMIUM, else /usr/bin/chromium)");
  cmd->callback([opt] { report_command(*opt); });
}

}  // namespace aidc::cli
