//! Catalogers of package-manager databases: their packages are the distro's,
//! matched against the distro's own advisories by source package.

pub(crate) mod apk;
pub(crate) mod dpkg;
pub(crate) mod dpkg_files;
pub(crate) mod rpm;
