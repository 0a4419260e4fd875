# Sourced by configure and scripts/janus-config.sh: finds the folder holding Janus's plugins/, transports/
# and events/ (Debian: /usr/lib/<multiarch>/janus), so no architecture is written anywhere.
# JANUS_LIB_DIR, when set, wins.
janus_lib_dir() {
  for dir in ${JANUS_LIB_DIR:-} /usr/lib/*/janus /usr/lib64/janus /usr/lib/janus /usr/local/lib/*/janus /usr/local/lib/janus /opt/janus/lib/janus; do
    if [ -d "$dir/plugins" ] && [ -d "$dir/transports" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}
