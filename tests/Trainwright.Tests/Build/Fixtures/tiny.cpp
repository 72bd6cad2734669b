// Source of tiny.so, the ELF fixture for the libstdc++ compatibility patcher tests.
// Rebuild: g++ -shared -fPIC -O2 -s -o tiny.so tiny.cpp
#include <string>
#include <sstream>
std::string describe(int n) { std::ostringstream s; s << "n=" << n; return s.str(); }
