namespace FocusLab.Engine.Kernels;

/// <summary>For NumPy broadcasting: the flat offset into an operand for every element of the output.</summary>
public static class BroadcastIndex
{
    /// <summary>map[o] = offset in an operand of shape <paramref name="shape"/> broadcast to <paramref name="outShape"/>.</summary>
    public static int[] Map(int[] outShape, int[] shape)
    {
        int rank = outShape.Length, length = Tensors.Shapes.Product(outShape);
        var strides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int sd = d - (rank - shape.Length);
            int size = sd >= 0 ? shape[sd] : 1;
            strides[d] = size == 1 ? 0 : stride;
            stride *= size;
        }
        var map = new int[length];
        var index = new int[rank];
        int offset = 0;
        for (int o = 0; o < length; o++)
        {
            map[o] = offset;
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                offset += strides[d];
                if (index[d] < outShape[d]) break;
                offset -= strides[d] * index[d];
                index[d] = 0;
            }
        }
        return map;
    }

    /// <summary>True when <paramref name="shape"/> equals the trailing dimensions of <paramref name="outShape"/>
    /// (e.g. a bias [C] on [N, C]), so the operand repeats as whole rows.</summary>
    public static bool IsTrailing(int[] outShape, int[] shape)
    {
        if (shape.Length > outShape.Length) return false;
        for (int i = 1; i <= shape.Length; i++)
            if (shape[^i] != outShape[^i]) return false;
        return true;
    }
}
