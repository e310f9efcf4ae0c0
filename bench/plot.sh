#!/bin/sh
# Draws the load plots of a benchmark run with gnuplot (Debian package
# gnuplot-nox) as SVG:
#
#   bench/plot.sh DATA_DIR [OUT_DIR]
#
# DATA_DIR is the samples directory bench/bench.sh writes next to its report
# (build-bench/bench-results.data by default); it reads parallel.dat and
# cost-*.dat from there. OUT_DIR (default docs/) gets
#   benchmarks-parallel.svg  throughput and p50/p99 latency against the
#                            number of parallel `run` loops
#   benchmarks-cost.svg      median time against bind mounts, containers
#                            under --root, env entries and processes
# Columns of parallel.dat: level, then per runtime (minirt crun runc)
# containers/s, p50 ms, p99 ms, and columns 11-13 the same for the floor
# program (bench/floor.c) or `?`. Of cost-M.dat: size, then the median ms per
# runtime. `?` marks a value that was not measured.
set -eu
[ $# -ge 1 ] || { sed -n '2,16{s/^# \{0,1\}//;p}' "$0"; exit 2; }
data=$1
out=${2:-$(dirname "$0")/../docs}
command -v gnuplot >/dev/null || { echo "plot: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 1; }
host="$(uname -r), $(nproc) CPUs"

common="set terminal svg size 900,420 dynamic font 'sans,11' background rgb 'white'
set datafile missing '?'
set grid
set key top left
set style line 1 lc rgb '#d62728' lw 2 pt 7 ps 0.8
set style line 2 lc rgb '#1f77b4' lw 2 pt 5 ps 0.8
set style line 3 lc rgb '#7f7f7f' lw 2 pt 9 ps 0.8
set style line 4 lc rgb '#2ca02c' lw 1 dt 3 pt 1 ps 0.8
set style line 11 lc rgb '#d62728' lw 1 dt 2 pt 6 ps 0.8
set style line 12 lc rgb '#1f77b4' lw 1 dt 2 pt 4 ps 0.8
set style line 13 lc rgb '#7f7f7f' lw 1 dt 2 pt 8 ps 0.8"

if [ -s "$data/parallel.dat" ]; then
  # The floor program's throughput (columns 11-13) where it was measured.
  floor_plot=""
  if awk 'NF >= 11 && $11 != "?" { found = 1 } END { exit !found }' "$data/parallel.dat"; then
    floor_plot=", '' using 1:11 with linespoints ls 4 title 'floor (bench/floor.c)'"
  fi
  gnuplot <<EOF
$common
set output '$out/benchmarks-parallel.svg'
set multiplot layout 1,2 title 'Parallel loops of run /bin/true on $host'
set logscale x 2
set xrange [0.8:80]
set xtics (1, 4, 16, 64)
set xlabel 'parallel loops'
set ylabel 'containers per second (higher is better)'
set yrange [0:*]
set key top right
plot '$data/parallel.dat' using 1:2 with linespoints ls 1 title 'minirt', \
     '' using 1:5 with linespoints ls 2 title 'crun', \
     '' using 1:8 with linespoints ls 3 title 'runc'$floor_plot
set logscale y 10
set yrange [*:*]
set key top left
set ylabel 'latency, ms (p50 solid, p99 dashed)'
plot '$data/parallel.dat' using 1:3 with linespoints ls 1 title 'minirt p50', \
     '' using 1:4 with linespoints ls 11 title 'minirt p99', \
     '' using 1:6 with linespoints ls 2 title 'crun p50', \
     '' using 1:7 with linespoints ls 12 title 'crun p99', \
     '' using 1:9 with linespoints ls 3 title 'runc p50', \
     '' using 1:10 with linespoints ls 13 title 'runc p99'
unset multiplot
EOF
fi

# One panel per cost measure that has data, in a 2-column grid.
panels=""
for m in mounts list env ps; do
  [ -s "$data/cost-$m.dat" ] && panels="$panels $m"
done
if [ -n "$panels" ]; then
  n=$(echo $panels | wc -w)
  rows=$(((n + 1) / 2))
  {
    echo "$common"
    echo "set terminal svg size 900,$((rows * 340)) dynamic font 'sans,11' background rgb 'white'"
    echo "set output '$out/benchmarks-cost.svg'"
    echo "set multiplot layout $rows,2 title 'Cost growth on $host: median of each size'"
    echo "set logscale xy 10"
    echo "set ylabel 'ms (lower is better)'"
    for p in $panels; do
      case $p in
      mounts) t='run with N bind mounts' ;;
      list) t='list with N created containers' ;;
      env) t='exec with N --env entries' ;;
      ps) t='ps of a container with N+1 processes' ;;
      esac
      echo "set title '$t'"
      echo "set xlabel 'N'"
      echo "plot '$data/cost-$p.dat' using 1:2 with linespoints ls 1 title 'minirt', \\"
      echo "  '' using 1:3 with linespoints ls 2 title 'crun', \\"
      echo "  '' using 1:4 with linespoints ls 3 title 'runc'"
    done
    echo "unset multiplot"
  } | gnuplot
fi
