#include "phusong/core/hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "phusong/core/error.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/interrupt.hpp"

namespace phusong {
namespace {

struct DigestContext {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    DigestContext() {
        if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
            throw InternalError("OpenSSL: cannot initialise SHA-256");
        }
    }
    void update(const void* data, std::size_t n) {
        if (EVP_DigestUpdate(ctx.get(), data, n) != 1) throw InternalError("OpenSSL: SHA-256 update");
    }
    std::string hex() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(ctx.get(), md.data(), &len) != 1) {
            throw InternalError("OpenSSL: SHA-256 final");
        }
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < len; ++i) {
            out += kHex[md[i] >> 4];
            out += kHex[md[i] & 0xF];
        }
        return out;
    }
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    DigestContext d;
    d.update(bytes.data(), bytes.size());
    return d.hex();
}

std::string sha256_file_hex(const std::filesystem::path& path) {
    require_not_special(path);  // a FIFO or /dev/zero would be read for ever
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        // libstdc++ opens through fopen, which leaves the reason in errno.
        const std::string reason = errno != 0 ? std::string(": ") + std::strerror(errno) : std::string();
        throw InputError(path.string(), "", "cannot open the file to checksum it" + reason);
    }
    DigestContext d;
    std::array<char, 1 << 16> buffer{};
    while (in) {
        throw_if_interrupted();  // a multi-gigabyte raster takes seconds to hash
        in.read(buffer.data(), buffer.size());
        d.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    return d.hex();
}

}  // namespace phusong
