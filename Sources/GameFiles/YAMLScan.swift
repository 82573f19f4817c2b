internal import CYaml

/// A pass over a YAML text's event stream, before any tree is built, that bounds what
/// composing and expanding it would cost.
///
/// Yams composes a document into a tree in which an alias is the anchored node itself (cheap),
/// but hashes every mapping key (to find duplicates), and the game-file reader then expands
/// every alias into its own copy. A "billion laughs" document of a few hundred bytes would make
/// either of them take minutes and gigabytes. This scan reads libyaml's events (the same parser
/// Yams uses) and counts the nodes the document stands for once every alias is expanded, keys
/// included: an anchored node's expanded size is recorded when it ends and added again at each
/// alias, so the scan costs time proportional to the text and memory proportional to the
/// number of anchors and the nesting depth, whatever the expansion.
enum YAMLScan {
    /// What the scan found.
    enum Outcome: Equatable {
        /// Within the limits (or a syntax error the composer will report with its position).
        case fine
        /// More than the limit of expanded nodes.
        case tooLarge
        /// Nesting deeper than the limit.
        case tooDeep
    }

    /// Scans `text`, stopping as soon as a limit is exceeded.
    ///
    /// - Parameters:
    ///   - limit: the most nodes (scalars, sequences, mappings, keys included) accepted after
    ///     expanding aliases.
    ///   - maximumDepth: the deepest nesting accepted (the root is at depth 0).
    /// - Returns: the outcome, and the expanded node count seen (at most `limit + 1`).
    static func scan(_ text: String, limit: Int, maximumDepth: Int) -> (outcome: Outcome, nodes: Int) {
        var text = text
        return text.withUTF8 { bytes -> (Outcome, Int) in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return (.fine, 0) }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            // Expanded size of each anchor (the latest definition wins, as in Yams).
            var anchors: [[UInt8]: Int] = [:]
            // Open collections: expanded size so far and anchor name.
            var stack: [(size: Int, anchor: [UInt8]?)] = []
            var total = 0
            func add(_ size: Int) {
                if stack.isEmpty { total = min(total + size, limit + 1) } else {
                    stack[stack.count - 1].size = min(stack[stack.count - 1].size + size, limit + 1)
                }
            }
            func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> [UInt8]? {
                guard let pointer else { return nil }
                var bytes: [UInt8] = []
                var p = pointer
                while p.pointee != 0 { bytes.append(p.pointee); p += 1 }
                return bytes
            }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return (.fine, total) }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return (.fine, total)
                case YAML_SCALAR_EVENT:
                    guard stack.count < maximumDepth else { return (.tooDeep, total) }
                    if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = 1 }
                    add(1)
                case YAML_ALIAS_EVENT:
                    guard stack.count < maximumDepth else { return (.tooDeep, total) }
                    // An undefined alias is left to the composer, which reports it with its position.
                    add(name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1)
                case YAML_SEQUENCE_START_EVENT:
                    guard stack.count < maximumDepth else { return (.tooDeep, total) }
                    stack.append((1, name(event.data.sequence_start.anchor)))
                case YAML_MAPPING_START_EVENT:
                    guard stack.count < maximumDepth else { return (.tooDeep, total) }
                    stack.append((1, name(event.data.mapping_start.anchor)))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let done = stack.popLast() else { return (.fine, total) }
                    if let anchor = done.anchor { anchors[anchor] = done.size }
                    add(done.size)
                default:
                    break
                }
                let open = stack.last?.size ?? 0
                if total > limit || open > limit { return (.tooLarge, limit + 1) }
            }
        }
    }
}
