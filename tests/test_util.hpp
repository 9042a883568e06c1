#pragma once
// Helpers shared by the tests: temporary folders and files.

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace phusong::test {

/// A fresh temporary folder, removed with the object.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        m_path = std::filesystem::temp_directory_path() / ("phusong-test-" + std::to_string(rd()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    /// Writes `text` to a file in the folder and returns its path.
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        const auto p = m_path / name;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

private:
    std::filesystem::path m_path;
};

inline std::filesystem::path test_data_dir() { return PHUSONG_TEST_DATA_DIR; }
inline std::filesystem::path gis_data_dir() { return PHUSONG_GIS_DATA_DIR; }

/// A file's bytes ("" if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Sorted names in a folder (empty if it does not exist).
inline std::vector<std::string> entries(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

/// Every regular file under a folder by relative path, with its bytes.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) files[std::filesystem::relative(e.path(), dir).string()] = slurp(e.path());
    }
    return files;
}

#ifdef PHUSONG_EXE
/// Runs `phusong -q ARGS` with its output in `log`; its exit code.
inline int run_cli(const std::string& args, const std::filesystem::path& log) {
    const std::string cmd = std::string("'") + PHUSONG_EXE + "' -q " + args + " > '" + log.string() + "' 2>&1";
    return WEXITSTATUS(std::system(cmd.c_str()));
}
#endif

}  // namespace phusong::test
