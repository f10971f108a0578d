//! Tensor shapes and constant data as the kernels see them: ranks up to [`MAX_RANK`], NHWC
//! shapes ([`Dims4`]), and little-endian values at any byte alignment ([`LeI32s`], [`LeF32s`]:
//! constants inside a model sit wherever the flatbuffer put them).
//!
//! Kernel-side helpers on hot paths: their index arithmetic runs on lengths the spec layer
//! verified, and reads past the end return 0 instead of panicking.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

/// Largest tensor rank patchwise handles.
pub const MAX_RANK: usize = 6;

/// A tensor shape of rank 0..=[`MAX_RANK`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Shape {
    rank: u8,
    dims: [usize; MAX_RANK],
}

impl Shape {
    /// A shape from its dimensions; `None` if the rank exceeds [`MAX_RANK`].
    pub fn new(dims: &[usize]) -> Option<Shape> {
        if dims.len() > MAX_RANK {
            return None;
        }
        let mut s = Shape { rank: dims.len() as u8, dims: [0; MAX_RANK] };
        s.dims[..dims.len()].copy_from_slice(dims);
        Some(s)
    }
    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        self.dims.get(..self.rank as usize).unwrap_or(&[])
    }
    /// Rank (number of dimensions, at most [`MAX_RANK`]).
    pub fn rank(&self) -> usize {
        self.dims().len()
    }
    /// Dimension `i`, or 1 past the rank.
    pub fn dim(&self, i: usize) -> usize {
        self.dims().get(i).copied().unwrap_or(1)
    }
    /// Product of the dimensions (1 for a scalar). The verifier proved it does not overflow.
    pub fn num_elements(&self) -> usize {
        self.dims().iter().fold(1usize, |a, &d| a.saturating_mul(d))
    }
    /// The shape as NHWC when the rank is 4.
    pub fn nhwc(&self) -> Option<Dims4> {
        if self.rank == 4 {
            Some(Dims4 { n: self.dims[0], h: self.dims[1], w: self.dims[2], c: self.dims[3] })
        } else {
            None
        }
    }
}

/// A 4-D NHWC shape (filters: `[out, h, w, in]`; depthwise filters `[1, h, w, out]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Dims4 {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub c: usize,
}

impl Dims4 {
    /// Element count.
    pub fn len(&self) -> usize {
        self.n * self.h * self.w * self.c
    }
    /// True when any dimension is zero.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Flat NHWC index.
    #[inline(always)]
    pub fn offset(&self, n: usize, y: usize, x: usize, c: usize) -> usize {
        ((n * self.h + y) * self.w + x) * self.c + c
    }
}

/// Little-endian `i32` values at any byte alignment (constant data inside a model).
#[derive(Clone, Copy, Debug)]
pub struct LeI32s<'a>(&'a [u8]);

impl<'a> LeI32s<'a> {
    /// Wraps bytes; a trailing partial value is ignored.
    pub const fn new(bytes: &'a [u8]) -> Self {
        LeI32s(bytes)
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len() / 4
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The bytes (for a kernel in C reading them as little-endian values).
    pub const fn bytes(&self) -> &'a [u8] {
        self.0
    }
    /// Value `i`, or 0 past the end (callers check lengths at prepare time).
    #[inline(always)]
    pub fn get(&self, i: usize) -> i32 {
        match self.0.get(i * 4..i * 4 + 4) {
            Some(&[a, b, c, d]) => i32::from_le_bytes([a, b, c, d]),
            _ => 0,
        }
    }
}

/// Little-endian `f32` values at any byte alignment (scales and float constants in a model).
#[derive(Clone, Copy, Debug)]
pub struct LeF32s<'a>(&'a [u8]);

impl<'a> LeF32s<'a> {
    /// Wraps bytes; a trailing partial value is ignored.
    pub const fn new(bytes: &'a [u8]) -> Self {
        LeF32s(bytes)
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len() / 4
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Value `i`, or 0.0 past the end (callers check lengths at prepare time).
    #[inline(always)]
    pub fn get(&self, i: usize) -> f32 {
        match self.0.get(i * 4..i * 4 + 4) {
            Some(&[a, b, c, d]) => f32::from_le_bytes([a, b, c, d]),
            _ => 0.0,
        }
    }
}
