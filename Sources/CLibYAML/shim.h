#ifndef CLIBYAML_SHIM_H
#define CLIBYAML_SHIM_H
// libyaml (Debian: libyaml-dev), the YAML 1.1 parser behind PyYAML and Yams.
#include <yaml.h>
#endif
