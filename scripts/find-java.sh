# Sourced by the launcher, the test runner and CI: sets JAVA_HOME to a JDK 25 or newer.
# Prefers $JAVA_HOME, then `java` on PATH, then the newest JDK under the usual JVM folders.

java_feature_version() { # prints the major version of the JDK at $1, or 0
    local release="$1/release"
    if [[ -f "$release" ]]; then
        sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
    else
        echo 0
    fi
}

find_java_25() {
    local candidate best="" best_version=0 version
    local candidates=()
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
        [[ -d "$candidate" ]] && candidates+=("$candidate")
    done
    for candidate in "${candidates[@]}"; do
        [[ -x "$candidate/bin/java" && -x "$candidate/bin/javac" ]] || continue
        version="$(java_feature_version "$candidate")"
        if (( version >= 25 && version > best_version )); then
            best="$candidate"
            best_version=$version
        fi
        # An explicit JAVA_HOME that qualifies wins over anything newer found elsewhere.
        if [[ "$candidate" == "${JAVA_HOME:-}" && -n "$best" ]]; then
            break
        fi
    done
    if [[ -z "$best" ]]; then
        echo "myelin: no JDK 25 or newer found; install one and set JAVA_HOME" >&2
        return 1
    fi
    export JAVA_HOME="$best"
}

find_java_25
