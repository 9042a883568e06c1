#pragma once
// GDAL's XML tree (cpl_minixml) as the io writers use it: an owning pointer and the lookup of a
// parsed document's root element. Internal to the io module.

#include <cpl_minixml.h>

#include <memory>
#include <string>

namespace phusong::io {

struct XmlFree {
    void operator()(CPLXMLNode* n) const noexcept { CPLDestroyXMLNode(n); }
};
using XmlPtr = std::unique_ptr<CPLXMLNode, XmlFree>;

/// The top-level element `name` of a parsed document (CPLParseXMLString returns the DOCTYPE or
/// <?xml?> node first, with the root element as its sibling).
inline CPLXMLNode* top_element(CPLXMLNode* n, const char* name) {
    for (; n != nullptr; n = n->psNext) {
        if (n->eType == CXT_Element && std::string(n->pszValue) == name) return n;
    }
    return nullptr;
}

}  // namespace phusong::io
