// A C++ program that throws and catches: counts stay exact, frames are closed.
#include <cstdio>
#include <stdexcept>
#include <string>

struct Parser {
  int depth = 0;
  __attribute__ ((noinline)) int parse (int n)
  {
    if (n == 0)  // @throwif
      throw std::runtime_error ("empty");
    return n + parse (n - 1);
  }
};

static int attempt (Parser &p, int n)
{
  try { return p.parse (n); }
  catch (const std::exception &e) { return -1; }
}

int main ()
{
  Parser p;
  int fails = 0;
  for (int i = 0; i < 10; i++)  // @tries
    if (attempt (p, 3) < 0)
      fails++;
  std::printf ("%d\n", fails);
  return 0;
}
