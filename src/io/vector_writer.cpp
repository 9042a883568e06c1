// Placeholder: lands with issue #4/#6.
namespace phusong::io {}
