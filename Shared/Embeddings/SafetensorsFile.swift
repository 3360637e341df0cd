import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.safetensors` file, memory-mapped read-only.
///
/// The format (Hugging Face's safetensors): 8 bytes little-endian `N`, then `N` bytes of JSON
/// mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into
/// the bytes that follow the header), plus an optional `"__metadata__"` object; then the tensor
/// data, little-endian, row-major. Tensors are read in place from the mapping, never copied.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and private, so nothing ever writes through
/// it; every stored property is a `let`; the mapping is removed only in `deinit`, when no
/// reference (and so no tensor pointer handed out through ``floats(_:shape:)`` that callers keep
/// beside this object) remains.
final class SafetensorsFile: @unchecked Sendable {
    struct Tensor: Sendable, Equatable {
        var dtype: String
        var shape: [Int]
        /// Byte offsets into the data that follows the header.
        var offsets: Range<Int>
    }

    let path: String
    let tensors: [String: Tensor]
    private let mapping: UnsafeRawPointer
    private let fileSize: Int
    private let dataStart: Int

    /// Maps `path` and parses its header; throws ``EmbeddingsError/Code/missingFile`` when it
    /// cannot be opened, ``EmbeddingsError/Code/invalidWeights`` when it is not a complete
    /// safetensors file (short, a bad header, a tensor past the end of the file).
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw EmbeddingsError(.missingFile, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw EmbeddingsError(.missingFile, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        fileSize = Int(status.st_size)
        guard fileSize >= 8 else {
            throw EmbeddingsError(.invalidWeights, "\(path) is truncated: \(fileSize) bytes, shorter than a safetensors header")
        }
        guard let mapped = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw EmbeddingsError(.missingFile, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        mapping = UnsafeRawPointer(mapped)
        do {
            (tensors, dataStart) = try Self.parseHeader(mapping, fileSize: fileSize, path: path)
        } catch {
            munmap(mapped, fileSize)
            throw error
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping), fileSize)
    }

    /// The F32 tensor `name`, checked to have exactly `shape`; throws
    /// ``EmbeddingsError/Code/missingTensor``, ``EmbeddingsError/Code/wrongTensorShape`` or
    /// ``EmbeddingsError/Code/invalidWeights`` (another dtype). The buffer lives as long as `self`.
    func floats(_ name: String, shape: [Int]) throws -> UnsafeBufferPointer<Float> {
        guard let tensor = tensors[name] else {
            throw EmbeddingsError(.missingTensor, "\(path) has no tensor \"\(name)\"")
        }
        guard tensor.dtype == "F32" else {
            throw EmbeddingsError(.invalidWeights, "tensor \"\(name)\" in \(path) is \(tensor.dtype); only F32 is supported")
        }
        guard tensor.shape == shape else {
            throw EmbeddingsError(.wrongTensorShape, "tensor \"\(name)\" in \(path) has shape \(tensor.shape); config.json implies \(shape)")
        }
        let start = mapping + dataStart + tensor.offsets.lowerBound
        guard Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 else {
            throw EmbeddingsError(.invalidWeights, "tensor \"\(name)\" in \(path) is not aligned to 4 bytes")
        }
        return UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: tensor.offsets.count / 4)
    }

    /// Bytes per element of the safetensors dtypes (to check each tensor's size).
    private static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]

    private static func parseHeader(_ mapping: UnsafeRawPointer, fileSize: Int, path: String) throws -> ([String: Tensor], Int) {
        func invalid(_ reason: String) -> EmbeddingsError { EmbeddingsError(.invalidWeights, "\(path): \(reason)") }
        let headerSize = UInt64(littleEndian: mapping.loadUnaligned(as: UInt64.self))
        guard headerSize <= UInt64(fileSize - 8) else {
            throw invalid("truncated: the header claims \(headerSize) bytes, the file has \(fileSize)")
        }
        let dataStart = 8 + Int(headerSize)
        let header = Data(bytes: mapping + 8, count: Int(headerSize))
        guard let object = try? JSONSerialization.jsonObject(with: header), let entries = object as? [String: Any] else {
            throw invalid("the header is not a JSON object")
        }
        let dataSize = fileSize - dataStart
        var tensors: [String: Tensor] = [:]
        for (name, value) in entries where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw invalid("tensor \"\(name)\" has no dtype, shape or data_offsets") }
            guard shape.allSatisfy({ $0 >= 0 }), 0 <= offsets[0], offsets[0] <= offsets[1] else {
                throw invalid("tensor \"\(name)\" has a negative size or offset")
            }
            guard offsets[1] <= dataSize else {
                throw invalid("truncated: tensor \"\(name)\" ends at byte \(dataStart + offsets[1]), the file has \(fileSize)")
            }
            if let elementSize = elementSizes[dtype] {
                let (elements, overflow) = shape.reduce((1, false)) { partial, dimension in
                    let (product, overflow) = partial.0.multipliedReportingOverflow(by: dimension)
                    return (product, partial.1 || overflow)
                }
                guard !overflow, elements.multipliedReportingOverflow(by: elementSize) == (offsets[1] - offsets[0], false) else {
                    throw invalid("tensor \"\(name)\" has \(offsets[1] - offsets[0]) bytes, not what shape \(shape) of \(dtype) needs")
                }
            }
            tensors[name] = Tensor(dtype: dtype, shape: shape, offsets: offsets[0]..<offsets[1])
        }
        return (tensors, dataStart)
    }
}
