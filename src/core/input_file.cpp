#include "phusong/core/input_file.hpp"

#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"

namespace phusong {
namespace {

constexpr const char* kWhy =
    ", not a regular file: a pipe or device never ends (or blocks until written to); give the "
    "path of a regular file";

}  // namespace

std::string special_file_kind(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";  // missing or unreadable: the callers say so
    if (S_ISFIFO(st.st_mode)) return "a FIFO";
    if (S_ISCHR(st.st_mode)) return "a character device";
    if (S_ISBLK(st.st_mode)) return "a block device";
    if (S_ISSOCK(st.st_mode)) return "a socket";
    return "";
}

std::string special_file_message(const std::filesystem::path& path, const std::string& kind) {
    return path.string() + " is " + kind + kWhy;
}

void require_not_special(const std::filesystem::path& path, const std::string& where) {
    const std::string kind = special_file_kind(path);
    if (!kind.empty()) {
        throw InputError(path.string(), where, "the path is " + kind + kWhy);
    }
}

std::string read_input_file(const std::filesystem::path& path, std::uintmax_t max_bytes,
                            const std::string& what) {
    require_not_special(path);
    const std::string file = path.string();
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_bytes) {
        throw InputError(file, "", "the " + what + " is " + std::to_string(size) + " bytes, more than the " +
                                       std::to_string(max_bytes) + " bytes such a file can sensibly hold: "
                                       "is it the right file?");
    }
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const std::string reason = errno != 0 ? std::string(": ") + std::strerror(errno) : std::string();
        throw InputError(file, "", "cannot read the " + what + reason);
    }
    std::string text;
    std::array<char, 1 << 16> buffer{};
    while (in) {
        throw_if_interrupted();
        in.read(buffer.data(), buffer.size());
        text.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes) {  // grew while read (or size unknown): still bounded
            throw InputError(file, "", "the " + what + " is more than " + std::to_string(max_bytes) +
                                           " bytes: is it the right file?");
        }
    }
    if (in.bad()) throw InputError(file, "", "cannot read the " + what + ": read error");
    return text;
}

}  // namespace phusong
