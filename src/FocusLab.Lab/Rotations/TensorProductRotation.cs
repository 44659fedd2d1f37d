using System.Numerics.Tensors;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Rotations;

/// <summary>
/// A random rotation of a large flat parameter vector that is never materialised (Xie et al., large-model
/// rotation; docs/equations.md#tensor-product-rotation): k rounds of (random permutation P → view the
/// first m = a·b·c coordinates as an
/// (a, b, c) tensor → multiply each axis by its own Haar orthogonal matrix). Each round is P followed by
/// (Q_a ⊗ Q_b ⊗ Q_c) ⊕ I, a product of orthogonal maps, so R is orthogonal. When d has no good
/// three-way factorisation, m ≤ d is the largest a·b·c with a = b = ⌊∛d⌋ and the d − m leftover
/// coordinates pass through that round unchanged (the next round's permutation mixes them in).
/// Cost per application: O(k·m·(a + b + c)), e.g. 3·d^{4/3} per round; memory one scratch vector.
/// Not thread-safe (the scratch buffer is shared); outputs are deterministic whatever the core count.
/// </summary>
internal sealed class TensorProductRotation : IRotation
{
    private readonly Round[] _rounds;
    private readonly double[] _scratch;

    private sealed record Round(int[] Permutation, int A, int B, int C, double[] Qa, double[] Qb, double[] Qc, double[] QaT, double[] QbT, double[] QcT);

    /// <param name="shape">The (a, b, c) reshape; default a near-cubic factorisation of d.</param>
    public TensorProductRotation(int dimension, int rounds, int seed, (int A, int B, int C)? shape = null)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be at least 1.");
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "rounds must be at least 1.");
        var (a, b, c) = shape ?? Factor(dimension);
        if (a < 1 || b < 1 || c < 1 || (long)a * b * c > dimension)
            throw new ArgumentException($"Shape ({a}, {b}, {c}) must have positive axes whose product is at most the dimension {dimension}.", nameof(shape));
        var rng = new SeededRandom(seed);
        _rounds = new Round[rounds];
        for (int r = 0; r < rounds; r++)
        {
            var perm = rng.Permutation(dimension);
            // Each axis matrix gets its own derived seed so the sequence does not depend on the axis sizes.
            var qa = OrthogonalMatrices.RandomHaar(a, rng.NextInt(int.MaxValue));
            var qb = OrthogonalMatrices.RandomHaar(b, rng.NextInt(int.MaxValue));
            var qc = OrthogonalMatrices.RandomHaar(c, rng.NextInt(int.MaxValue));
            _rounds[r] = new Round(perm, a, b, c, qa, qb, qc, DenseMatrix.Transpose(qa, a), DenseMatrix.Transpose(qb, b), DenseMatrix.Transpose(qc, c));
        }
        Dimension = dimension;
        Shape = (a, b, c);
        _scratch = new double[dimension];
    }

    public int Dimension { get; }

    public (int A, int B, int C) Shape { get; }

    public int Rounds => _rounds.Length;

    /// <summary>Cores an application may use (default all). A caller that already runs one rotation per core sets 1: the
    /// slabs then run on the calling thread, with no fork-join per axis; the result is the same for any value.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The default reshape: an exact factorisation with every axis ≤ 2∛d + 2 if one exists, else a = b = ⌊∛d⌋, c = ⌊d/(ab)⌋.</summary>
    public static (int A, int B, int C) Factor(int d)
    {
        int root = (int)Math.Round(Math.Cbrt(d));
        int limit = 2 * root + 2;
        (int, int, int)? best = null;
        int bestMax = int.MaxValue;
        for (int a = 1; a <= limit && a <= d; a++)
        {
            if (d % a != 0) continue;
            int rest = d / a;
            for (int b = a; b <= limit && (long)b * b <= rest; b++)
            {
                if (rest % b != 0) continue;
                int c = rest / b;
                int max = Math.Max(a, Math.Max(b, c));
                if (max <= limit && max < bestMax) { best = (a, b, c); bestMax = max; }
            }
        }
        if (best is { } e) return e;
        int f = Math.Max(1, (int)Math.Floor(Math.Cbrt(d)));
        while ((long)(f + 1) * (f + 1) * (f + 1) <= d) f++;
        return (f, f, d / (f * f));
    }

    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        CheckLengths(x, y);
        x.CopyTo(y);
        foreach (var r in _rounds)
        {
            // scratch = P y
            for (int i = 0; i < Dimension; i++) _scratch[i] = y[r.Permutation[i]];
            int m = r.A * r.B * r.C;
            var s = _scratch.AsSpan(0, m);
            var t = y[..m];
            Axis(r.Qa, s, t, 1, r.A, r.B * r.C);
            Axis(r.Qb, t, s, r.A, r.B, r.C);
            Axis(r.Qc, s, t, r.A * r.B, r.C, 1);
            _scratch.AsSpan(m).CopyTo(y[m..]);
        }
    }

    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y)
    {
        CheckLengths(x, y);
        x.CopyTo(y);
        for (int k = _rounds.Length - 1; k >= 0; k--)
        {
            var r = _rounds[k];
            int m = r.A * r.B * r.C;
            var s = _scratch.AsSpan(0, m);
            var t = y[..m];
            // The axis maps commute; their transposes undo them.
            Axis(r.QcT, t, s, r.A * r.B, r.C, 1);
            Axis(r.QbT, s, t, r.A, r.B, r.C);
            Axis(r.QaT, t, s, 1, r.A, r.B * r.C);
            y[m..].CopyTo(_scratch.AsSpan(m));
            // y = Pᵀ scratch
            for (int i = 0; i < Dimension; i++) y[r.Permutation[i]] = _scratch[i];
        }
    }

    /// <summary>
    /// dst[o, k, i] = Σ_l M[k, l]·src[o, l, i] over a tensor viewed as (outer, n, inner). Every output slab is
    /// computed by one worker from src only, so the split over cores cannot change the result.
    /// </summary>
    private void Axis(double[] m, Span<double> src, Span<double> dst, int outer, int n, int inner)
    {
        int slabs = outer * n;
        long work = (long)slabs * n * inner;
        if (work < 1 << 18 || Threads <= 1)
        {
            for (int sIdx = 0; sIdx < slabs; sIdx++) Slab(m, src, dst, n, inner, sIdx);
            return;
        }
        unsafe
        {
            fixed (double* ps = src, pd = dst)
            {
                double* sp = ps, dp = pd;
                int len = src.Length;
                int workers = Math.Min(Threads, slabs);
                Parallel.For(0, workers, w =>
                {
                    var s2 = new Span<double>(sp, len);
                    var d2 = new Span<double>(dp, len);
                    int lo = (int)((long)slabs * w / workers), hi = (int)((long)slabs * (w + 1) / workers);
                    for (int sIdx = lo; sIdx < hi; sIdx++) Slab(m, s2, d2, n, inner, sIdx);
                });
            }
        }
    }

    private static void Slab(double[] m, Span<double> src, Span<double> dst, int n, int inner, int slab)
    {
        int o = slab / n, k = slab % n;
        var row = new ReadOnlySpan<double>(m, k * n, n);
        if (inner == 1)
        {
            dst[slab] = TensorPrimitives.Dot(row, src.Slice(o * n, n));
            return;
        }
        var outSlab = dst.Slice(slab * inner, inner);
        outSlab.Clear();
        int baseIdx = o * n * inner;
        for (int l = 0; l < n; l++)
            TensorPrimitives.MultiplyAdd(src.Slice(baseIdx + l * inner, inner), row[l], outSlab, outSlab);
    }

    private void CheckLengths(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Dimension || y.Length != Dimension)
            throw new ArgumentException($"Vectors must have the rotation's dimension {Dimension} (got {x.Length} and {y.Length}).");
        if (x.Overlaps(y)) throw new ArgumentException("x and y overlap; pass a separate output buffer.");
    }
}
