/* Two TUs with a static function of the same name: reported apart. */
static int helper (int x) { return x * 2; }
int work_a (int n)
{
  int s = 0;
  for (int i = 0; i < n; i++)  /* @loop_a */
    s += helper (i);
  return s;
}
