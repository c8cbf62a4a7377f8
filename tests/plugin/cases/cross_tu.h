int ping (int n);
int pong (int n);
int scale (int x);
int bump (int x);
int plain_helper (int x);
