#pragma once
/// SIGINT/SIGTERM/SIGHUP handling: the handler only sets a flag; long loops call throw_if_interrupted()
/// so the run unwinds, its temporary outputs are removed and the destination stays untouched.

namespace phusong {

void install_interrupt_handlers();
[[nodiscard]] bool interrupted() noexcept;
/// Throws Interrupted if a signal arrived.
void throw_if_interrupted();

}  // namespace phusong
