/* dlclose_lib.c: an instrumented library that dlclose_main.c loads, unloads and loads again. */
__attribute__((noinline)) static int lib_leaf(int i) { return i & 3; }

int lib_work(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += lib_leaf(i);
  return s;
}
