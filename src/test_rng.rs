//! The unit tests' random numbers: a seedable xorshift64 generator, the same sequence on
//! every host (each test names its seed).

pub struct XorShift(u64);

impl XorShift {
    /// A generator started from `seed` (not 0).
    pub fn new(seed: u64) -> Self {
        XorShift(seed)
    }

    /// The next 64-bit state.
    pub fn next_u64(&mut self) -> u64 {
        let mut s = self.0;
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        self.0 = s;
        s
    }

    /// The low 32 bits of the next state.
    pub fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    /// The next state modulo `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }
}
