#pragma once
#include <algorithm>
#include <atomic>

/// PHUSONG_AVX2_CLONES before a function compiles it three times (GCC function multiversioning):
/// for CPUs with AVX-512 (x86-64-v4: 8 doubles or 16 floats wide), for CPUs with AVX2 (4 doubles
/// or 8 floats) and for any x86-64; the loader picks one through an ifunc resolver. None uses
/// FMA (AVX-512 has it, but the top CMakeLists.txt compiles everything with -ffp-contract=off,
/// and AVX2 here implies no FMA), and the loops they vectorise are element-wise (no reduction is
/// reordered), so all three give the same numbers. In radio, the lowest module, so that every
/// module can use it.
///
/// Not under ThreadSanitizer: the resolvers run while the dynamic loader relocates the program,
/// before TSan's runtime is set up, and an instrumented resolver crashes there (the `tsan`
/// preset's test_coverage died at start-up in terrain_delta_h's resolver). Not off x86-64,
/// which has no AVX2.
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#define PHUSONG_AVX2_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define PHUSONG_AVX2_CLONES
#endif

/// Hand-written AVX2 kernels (intrinsics) for the loops GCC will not vectorise (gathers): a
/// function marked PHUSONG_AVX2_TARGET is compiled for AVX2 (no FMA, so its arithmetic rounds as
/// the scalar code's) and called only where `cpu_has_avx2()`; each sits beside the scalar loop
/// it replaces, and a test compares the two bit for bit. Unlike PHUSONG_AVX2_CLONES no ifunc
/// resolver is involved, so this works under ThreadSanitizer too.
#if defined(__x86_64__)
#define PHUSONG_HAVE_AVX2_KERNELS 1
#define PHUSONG_AVX2_TARGET __attribute__((target("avx2")))
/// The same for AVX-512 kernels (F, DQ, VL and BW: x86-64-v4), called only where
/// `cpu_has_avx512()`.
#define PHUSONG_AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
#else
#define PHUSONG_HAVE_AVX2_KERNELS 0
#endif

namespace phusong::radio {

/// Whether this CPU runs the PHUSONG_AVX2_TARGET kernels (always false off x86-64).
[[nodiscard]] inline bool cpu_has_avx2() noexcept {
#if PHUSONG_HAVE_AVX2_KERNELS
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
#else
    return false;
#endif
}

/// Whether this CPU runs the PHUSONG_AVX512_TARGET kernels (always false off x86-64).
[[nodiscard]] inline bool cpu_has_avx512() noexcept {
#if PHUSONG_HAVE_AVX2_KERNELS
    static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
    return has;
#else
    return false;
#endif
}

/// The hand-written kernels a function with several may use: none (its scalar loop), AVX2, or
/// AVX-512. `best_kernels()` is the widest this CPU runs (under limit_kernels' cap); tests pass
/// each one this CPU has and compare it with the scalar loop.
enum class Kernels { scalar, avx2, avx512 };

namespace detail {
inline std::atomic<Kernels>& kernel_limit() noexcept {
    static std::atomic<Kernels> limit{Kernels::avx512};
    return limit;
}
}  // namespace detail

/// Caps what best_kernels() returns from now on: for tests that run a whole computation (a
/// prediction) through narrower kernels and compare the results, which are the same by
/// construction. The AVX2-only kernels (cpu_has_avx2()) ignore it.
inline void limit_kernels(Kernels widest) noexcept { detail::kernel_limit().store(widest, std::memory_order_relaxed); }

[[nodiscard]] inline Kernels best_kernels() noexcept {
    const Kernels cpu = cpu_has_avx512() ? Kernels::avx512 : cpu_has_avx2() ? Kernels::avx2 : Kernels::scalar;
    return std::min(cpu, detail::kernel_limit().load(std::memory_order_relaxed));
}

}  // namespace phusong::radio
