using FocusLab.Engine.Kernels.Gemm;

namespace FocusLab.Engine.Tests.Kernels;

public class GemmTests
{
    /// <summary>Independent reference: textbook triple loop in double.</summary>
    internal static double[] Naive(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var r = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                r[i * n + j] = alpha * s + beta * c[i * ldc + j];
            }
        return r;
    }

    internal static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    public static IEnumerable<object[]> Backends()
    {
        yield return ["managed"];
        if (OpenBlasGemm.TryLoad() is not null) yield return ["openblas"];
    }

    public static IEnumerable<object[]> Cases()
    {
        // Odd sizes cross every packing edge (MR=6, NR=16, KC=256, MC=96, NB=192).
        int[][] sizes = [[1, 1, 1], [7, 13, 5], [37, 53, 300], [97, 201, 33], [130, 17, 520], [6, 16, 256], [205, 150, 100], [150, 205, 100]]; // the last two are split into row and column blocks (OpenBLAS)
        foreach (var backend in Backends())
            foreach (var s in sizes)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        yield return [backend[0], s[0], s[1], s[2], ta, tb];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNaiveDoubleReference(string backend, int m, int n, int k, bool ta, bool tb)
    {
        var gemm = Gemm.Create(backend);
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2; // padded strides
        var a = Random((ta ? k : m) * lda, 1);
        var b = Random((tb ? n : k) * ldb, 2);
        var c = Random(m * ldc, 3);
        var expected = Naive(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, -0.5f, c, ldc);
        gemm.Sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, -0.5f, c, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.True(Math.Abs(c[i * ldc + j] - expected[i * n + j]) <= 1e-5 * Math.Sqrt(k) + 1e-6,
                    $"{backend} C[{i},{j}] = {c[i * ldc + j]} vs {expected[i * n + j]}");
        // Padding columns of C are untouched.
        var c0 = Random(m * ldc, 3);
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++) Assert.Equal(c0[i * ldc + j], c[i * ldc + j]);
    }

    [Fact]
    public void BackendsAgreeOnLargeProduct()
    {
        var blas = OpenBlasGemm.TryLoad();
        int m = 300, n = 260, k = 700;
        var a = Random(m * k, 4);
        var b = Random(n * k, 5);
        var c1 = new float[m * n];
        new ManagedGemm().Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c1, n);
        var reference = Naive(false, true, m, n, k, 1f, a, k, b, k, 0f, new float[m * n], n);
        for (int i = 0; i < c1.Length; i++) Assert.True(Math.Abs(c1[i] - reference[i]) < 1e-4);
        if (blas is null) return; // the managed back end was still checked against the reference
        var c2 = new float[m * n];
        blas.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c2, n);
        for (int i = 0; i < c1.Length; i++) Assert.True(Math.Abs(c1[i] - c2[i]) < 1e-4, $"{c1[i]} vs {c2[i]}");
    }

    [Fact]
    public void ManagedIsBitwiseIdenticalForAnyThreadCount()
    {
        int m = 250, n = 400, k = 600;
        var a = Random(m * k, 6);
        var b = Random(k * n, 7);
        var one = new float[m * n];
        var many = new float[m * n];
        new ManagedGemm { MaxDegreeOfParallelism = 1 }.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, one, n);
        new ManagedGemm { MaxDegreeOfParallelism = 7 }.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, many, n);
        Assert.Equal(one, many);
    }

    [Fact]
    public void DoubleGemmMatchesNaive()
    {
        int m = 9, n = 11, k = 13;
        var a = Random(k * m, 8); var b = Random(n * k, 9); var c = Random(m * n, 10);
        var expected = Naive(true, true, m, n, k, 2f, a, m, b, k, 0.5f, c, n);
        var ad = a.Select(x => (double)x).ToArray(); var bd = b.Select(x => (double)x).ToArray(); var cd = c.Select(x => (double)x).ToArray();
        Gemm.Multiply(true, true, m, n, k, 2.0, ad, m, bd, k, 0.5, cd, n);
        for (int i = 0; i < cd.Length; i++) Assert.Equal(expected[i], cd[i], 1e-12);
    }

    [Fact]
    public void BatchedMultipliesEachMatrix()
    {
        int batch = 3, m = 4, n = 5, k = 6;
        var a = Random(batch * m * k, 11); var b = Random(batch * k * n, 12); var c = new float[batch * m * n];
        Gemm.MultiplyBatched<float>(batch, false, false, m, n, k, a, m * k, b, k * n, c, m * n);
        for (int i = 0; i < batch; i++)
        {
            var expected = Naive(false, false, m, n, k, 1f, a[(i * m * k)..], k, b[(i * k * n)..], n, 0f, new float[m * n], n);
            for (int j = 0; j < m * n; j++) Assert.Equal(expected[j], c[i * m * n + j], 1e-5);
        }
    }

    [Fact]
    public void BadArgumentsAreRefusedWithAClearMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ManagedGemm().Sgemm(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("A is 4x4", ex.Message);
        Assert.Throws<ArgumentException>(() => Gemm.Create("cuda"));
    }

    [Fact]
    public void ActiveBackendIsNamed() => Assert.Contains(Gemm.BackendName, new[] { "managed", "openblas" });
}
