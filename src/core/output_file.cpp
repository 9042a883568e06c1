#include "phusong/core/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "phusong/core/error.hpp"

namespace phusong {
namespace {

/// The causes a write commonly fails with, each with its fix (open(2), write(2), close(2) ERRORS).
struct Cause {
    int err;
    const char* fix;
};
constexpr std::array kCauses = {
    Cause{ENOSPC, "free space on that disk or give an output folder on another one (-o)"},
    Cause{EDQUOT, "your disk quota is used up: free space or give an output folder elsewhere (-o)"},
    Cause{EROFS, "the file system is mounted read-only: give an output folder on a writable one (-o)"},
    Cause{EACCES, "you may not write there: give an output folder you own (-o)"},
    Cause{EFBIG, "the file is larger than that file system allows: use another one (-o)"},
    Cause{EIO, "the disk reported an input/output error: check it, or write elsewhere (-o)"},
};

}  // namespace

std::string write_failure_message(const std::filesystem::path& path, int err) {
    std::string text = "cannot write " + path.string();
    if (err == 0) return text;
    std::string reason = std::strerror(err);
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    text += ": " + reason;
    for (const Cause& c : kCauses) {
        if (c.err == err) text += std::string(": ") + c.fix;
    }
    return text;
}

int write_cause_in(std::string_view message) {
    // SQLite (GeoPackage) says SQLITE_FULL in its own words (sqlite3_errstr: "database or disk is full").
    if (message.find("disk is full") != std::string_view::npos) return ENOSPC;
    for (const Cause& c : kCauses) {
        if (message.find(std::strerror(c.err)) != std::string_view::npos) return c.err;
    }
    return 0;
}

namespace {

/// Writes the file; the errno value of the first failure (the partial file removed), else 0.
int write_all(const std::filesystem::path& path, std::string_view bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return errno;
    int err = 0;
    for (std::size_t done = 0; done < bytes.size() && err == 0;) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n < 0 && errno != EINTR) {
            err = errno;
        } else if (n == 0) {
            err = EIO;
        }
    }
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);  // never unlink a device (/dev/full)
    if (::close(fd) != 0 && err == 0) err = errno;  // a network file system reports a full disk here
    if (err != 0 && regular) ::unlink(path.c_str());
    return err;
}

}  // namespace

void write_output_file(const std::filesystem::path& path, std::string_view bytes) {
    if (const int err = write_all(path, bytes); err != 0) throw Error(write_failure_message(path, err));
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
    const std::filesystem::path temp =
        path.parent_path() / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()));
    if (const int err = write_all(temp, bytes); err != 0) throw Error(write_failure_message(path, err));
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        throw Error("cannot move " + temp.string() + " to " + path.string() + ": " + ec.message());
    }
}

}  // namespace phusong
