#!/usr/bin/env bash
# Prints the path of a command that runs mongo-java-server 1.47.0 (in-memory backend) on
# 127.0.0.1:<port> for the Mongo test suites, building its launcher (./mongo-java-server/) with
# Maven once, and again only when the launcher's source changes.
set -euo pipefail
version=1.47.0
root="$(cd "$(dirname "$0")/../.." && pwd)"
src="$root/scripts/peers/mongo-java-server"
out="$root/.tools/mongo-java-server-$version"
cmd="$out/mongo-java-server"
stamp=$(cat "$0" "$src/pom.xml" "$src"/src/main/java/settle/peers/*.java | sha256sum | cut -c1-16)

built() { [ -x "$cmd" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; }

if built; then
  echo "$cmd"
  exit 0
fi
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "mongo-java-server.sh: $tool is needed (JDK 17+ and Maven), or set MONGO_URL" >&2; exit 1; }
done
mkdir -p "$root/.tools"
# Test runs may call this at once: one builds, the others wait and then find it.
exec 9>"$root/.tools/mongo-java-server-install.lock"
flock 9
if built; then
  echo "$cmd"
  exit 0
fi
echo "mongo-java-server.sh: building the mongo-java-server $version launcher with Maven (first run only)" >&2
rm -rf "$out"
build=(-q -B --no-transfer-progress -f "$src/pom.xml" -Dsettle.out="$out/build"
  compile dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt")
# Offline first, so a rebuild never needs the network once the local Maven repository holds
# everything; a fresh machine's first build falls back to downloading from Maven Central. Even with
# -q, Maven 3.8 prints stray terminal escapes: its output is shown only when the build fails.
mkdir -p "$out"
log="$out/build.log"
if ! mvn -o "${build[@]}" >"$log" 2>&1 && ! mvn "${build[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "mongo-java-server.sh: the Maven build failed (log above), or set MONGO_URL" >&2
  exit 1
fi
classpath="$out/build/classes:$(cat "$out/classpath.txt")"
# Errors only: the backend warns once per database for every non-unique index it does not implement
# (it ignores them; only unique indexes change behaviour, and those it enforces), which buries test output.
cat > "$cmd" <<WRAPPER
#!/usr/bin/env bash
# Written by scripts/peers/mongo-java-server.sh. Usage: mongo-java-server <port> (0: a free one).
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp '$classpath' settle.peers.MongoJavaServerLauncher "\$@"
WRAPPER
chmod +x "$cmd"
echo "$stamp" > "$out/stamp"
echo "$cmd"
