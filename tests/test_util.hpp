#pragma once
// Helpers shared by the tests: temporary folders and files.

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

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

}  // namespace phusong::test
