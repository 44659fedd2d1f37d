namespace FocusLab.Optim;

/// <summary>Quickselect (Hoare partition, median-of-three pivot): the k-th smallest value in O(n) expected time, reordering the span.</summary>
internal static class Selection
{
    public static float NthSmallest(Span<float> a, int k)
    {
        if ((uint)k >= (uint)a.Length) throw new ArgumentOutOfRangeException(nameof(k));
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            if (hi - lo < 16)
            {
                a.Slice(lo, hi - lo + 1).Sort();
                return a[k];
            }
            int mid = lo + (hi - lo) / 2;
            // Median of three as pivot keeps sorted and reversed inputs linear.
            if (a[mid] < a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            float pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }
}
