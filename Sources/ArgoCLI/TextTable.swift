/// A plain-text table with columns padded to their widest cell.
struct TextTable {
    var header: [String]
    var rows: [[String]]
    /// An ANSI SGR code per body cell (e.g. "32" for green), applied after padding; nil for plain.
    var colour: ((String) -> String?)? = nil

    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.enumerated().map { rowIndex, row in
            row.enumerated().map { index, cell in
                let padded = index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                guard rowIndex > 0, let code = colour?(cell) else { return padded }
                return "\u{1B}[\(code)m" + cell + "\u{1B}[0m" + String(padded.dropFirst(cell.count))
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

import Foundation
