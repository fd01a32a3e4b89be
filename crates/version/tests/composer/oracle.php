<?php
// The answer key for Composer versions (crates/version/tests/composer.rs):
// each line of stdin through Composer's own VersionParser::normalize, then
// the accepted versions ranked in the order Composer's Comparator gives
// their normalized forms (version_compare). Writes `raw TAB normalized TAB
// rank`: normalized is `!invalid` when normalize throws; rank is `-` for an
// invalid version or a branch (`dev-…`), equal ranks for equal versions.
// Run with Debian's `composer` package installed:
//   php oracle.php < vectors.txt > answers.tsv
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
$rows = [];
$ranked = [];
foreach (file('php://stdin', FILE_IGNORE_NEW_LINES) as $raw) {
    try {
        $normalized = $parser->normalize($raw);
    } catch (\UnexpectedValueException $e) {
        $normalized = '!invalid';
    }
    $rows[] = [$raw, $normalized];
    if ($normalized !== '!invalid' && strpos($normalized, 'dev-') !== 0) {
        $ranked[$normalized] = true;
    }
}
$versions = array_keys($ranked);
usort($versions, function ($a, $b) {
    return Comparator::lessThan($a, $b) ? -1 : (Comparator::greaterThan($a, $b) ? 1 : 0);
});
$rank = [];
$current = -1;
$previous = null;
foreach ($versions as $version) {
    if ($previous === null || !Comparator::equalTo($previous, $version)) {
        $current++;
    }
    $rank[$version] = $current;
    $previous = $version;
}
foreach ($rows as [$raw, $normalized]) {
    echo $raw, "\t", $normalized, "\t", $rank[$normalized] ?? '-', "\n";
}
